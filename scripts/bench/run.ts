/**
 * `npm run bench`: runs every table of scripts/bench in turn — each module there that exports
 * `runTable()` (files starting with `_` are helpers). `npm run bench -- fanout` runs only the
 * tables whose file name contains one of the words given.
 *
 * Not a test: numbers vary with the machine and with whatever else it runs; compare rows of one
 * run, not runs of different days.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

interface TableModule {
  runTable?: () => Promise<void>;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = (await readdir(here))
  .filter((name) => name.endsWith('.ts') && !name.startsWith('_') && name !== 'run.ts')
  .filter((name) => only.length === 0 || only.some((word) => name.includes(word)))
  .sort();

try {
  for (const file of files) {
    const table = (await import(new URL(file, import.meta.url).href)) as TableModule;
    if (!table.runTable) continue;
    console.log(`\n== ${file.replace(/\.ts$/, '')} ==`);
    await table.runTable();
  }
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
