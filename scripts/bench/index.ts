/**
 * `npm run bench`: prints each benchmark table in turn. Every table is its own module, run in a
 * process of its own so that one table's stack, clients and timers never colour another's numbers.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** One module per table; each prints its setup and its table and exits non-zero on failure. */
const TABLES = ['realtime.ts', 'bridge.ts', 'client.ts'] as const;

for (const table of TABLES) {
  const path = fileURLToPath(new URL(`./${table}`, import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', path], { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`bench: ${table} failed (${run.signal ?? `exit ${run.status}`})`);
    process.exit(1);
  }
  console.log('');
}
