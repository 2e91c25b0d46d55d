import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let cached: string | undefined;

/**
 * The real Deno binary of the `deno` npm package. `node_modules/.bin/deno` may be a Node wrapper
 * (bin.cjs) that would sit between us and Deno and swallow signals, so ask the package's own
 * installer where the binary is (it copies it next to the package or finds it in @deno/<platform>).
 */
export function denoExecutable(): string {
  if (cached !== undefined) return cached;
  const installer = require('deno/install_api.cjs') as { runInstall(): string };
  const path = installer.runInstall();
  if (!existsSync(path)) throw new Error(`Deno binary not found at ${path}; reinstall the "deno" npm package`);
  cached = path;
  return path;
}
