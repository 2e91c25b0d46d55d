/**
 * Once per e2e run: the production build every suite's `next start` serves (skipped when fresh),
 * and the Python venv the demo agent runs in (made on first use, as `npm start` makes it).
 */
import { ensureNextBuild } from '../../scripts/lib/next-build.ts';
import { ensurePythonVenv } from '../../scripts/lib/python-env.ts';
import { ROOT } from './_servers.ts';

export default async function setup(): Promise<void> {
  const started = Date.now();
  const [result] = await Promise.all([ensureNextBuild(ROOT, () => {}), ensurePythonVenv(ROOT)]);
  console.log(`next build: ${result}, venv ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
