/**
 * A functions folder that serves the real realtime-bridge with an environment of its own (a
 * `.env` beside it), for suites and benchmarks that need, say, another rate limit. The wrapper
 * `index.ts` imports the real entry point, so the code under test is the code that deploys.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const FUNCTION_DIR = fileURLToPath(new URL('../supabase/functions/realtime-bridge/', import.meta.url));
const CONFIG_TOML = fileURLToPath(new URL('../supabase/config.toml', import.meta.url));

export interface BridgeFunctionsDir {
  /** Pass as the stack's `functionsDir`. */
  functionsDir: string;
  remove(): void;
}

export function bridgeFunctionsDir(env: Record<string, string>): BridgeFunctionsDir {
  const root = mkdtempSync(join(tmpdir(), 'pubdev-bridge-'));
  const functionsDir = join(root, 'supabase', 'functions');
  const wrapper = join(functionsDir, 'realtime-bridge');
  mkdirSync(wrapper, { recursive: true });
  writeFileSync(
    join(wrapper, 'index.ts'),
    `import ${JSON.stringify(pathToFileURL(join(FUNCTION_DIR, 'index.ts')).href)};\n`,
  );
  // The import map (zod, supabase-js → npm:) is the function's own.
  copyFileSync(join(FUNCTION_DIR, 'deno.json'), join(wrapper, 'deno.json'));
  // verify_jwt and enabled come from the config.toml beside the functions folder.
  copyFileSync(CONFIG_TOML, join(root, 'supabase', 'config.toml'));
  writeFileSync(
    join(functionsDir, '.env'),
    Object.entries(env)
      .map(([name, value]) => `${name}=${value}\n`)
      .join(''),
  );
  return { functionsDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}
