/** Once per e2e run: the production build every suite's `next start` serves (skipped when fresh). */
import { ensureNextBuild } from '../../scripts/lib/next-build.ts';
import { ROOT } from './_servers.ts';

export default async function setup(): Promise<void> {
  const started = Date.now();
  const result = await ensureNextBuild(ROOT, () => {});
  console.log(`next build: ${result} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
