/**
 * The production build of the dashboard, made only when sources changed since the last one:
 * `npm start` and the e2e suite share it instead of building on every run.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnGroup } from './process-group.ts';

/**
 * What the build reads; a change to any of these makes `.next` stale.
 *
 * RATIONALE: all of `src/`, not the folders the app is thought to use: Next finds pages and routes
 * by convention under `src/app` and follows imports from there into any layer (the API routes
 * reach `src/server`, everything reaches `src/contract`), so a hand-kept list of folders goes
 * stale the day someone adds an import, and the e2e tier then tests an old build. Outside `src/`
 * the app imports only the seed's fixed ids; the rest is the configuration and the dependencies
 * the build runs with. tests/unit/next-build.test.ts walks the app's real import graph and fails
 * when it reaches a file not covered here.
 */
const BUILD_INPUTS = [
  'src',
  'supabase/fixture.ts',
  'next.config.ts',
  'tsconfig.json',
  'tsconfig.next.json',
  'package.json',
  'package-lock.json',
] as const;

// A directory's own mtime counts too: it changes when a file in it is added, removed or renamed.
function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

function newestInput(root: string): number {
  return Math.max(...BUILD_INPUTS.map((input) => newestMtime(path.join(root, input))));
}

// RATIONALE: the stamp records the newest input as it was when the build *started*; comparing
// with BUILD_ID's mtime instead would miss an edit made while the build was running.
const stampOf = (root: string) => path.join(root, '.next', 'pubdev-build-inputs');

/** True when `.next` is missing or one of the build inputs changed since the build started. */
export function nextBuildIsStale(root: string): boolean {
  if (!existsSync(path.join(root, '.next', 'BUILD_ID')) || !existsSync(stampOf(root))) return true;
  return newestInput(root) > Number(readFileSync(stampOf(root), 'utf8'));
}

/**
 * Runs `next build --webpack` when the build is stale.
 *
 * RATIONALE: webpack, not Turbopack: Turbopack refuses a node_modules that is a symlink to a
 * directory outside the project (shared installs, some CI caches), and one bundler everywhere
 * means the build that is tested is the build that ships.
 */
export async function ensureNextBuild(
  root: string,
  echo: (line: string) => void = (line) => console.log(`[build] ${line}`),
): Promise<'fresh' | 'built'> {
  if (!nextBuildIsStale(root)) return 'fresh';
  const inputsAtStart = newestInput(root);
  const build = spawnGroup(
    'build',
    process.execPath,
    [path.join(root, 'node_modules/next/dist/bin/next'), 'build', '--webpack'],
    {
      cwd: root,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
      echo,
    },
  );
  const code = await build.exited;
  if (code !== 0) throw new Error(`next build failed (${code})`);
  writeFileSync(stampOf(root), String(inputsAtStart));
  return 'built';
}
