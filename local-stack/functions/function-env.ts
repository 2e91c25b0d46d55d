import { readFile } from 'node:fs/promises';

/** What the stack tells every function, as Supabase's edge runtime does. */
export interface SupabaseFunctionEnv {
  SUPABASE_URL: string;
  SUPABASE_ANON_KEY: string;
  SUPABASE_SERVICE_ROLE_KEY: string;
  SUPABASE_DB_URL?: string;
}

/**
 * Host variables a Deno process needs to find its tools and the npm registry; everything else of
 * the stack's own environment (DATABASE_URL, secrets) stays out, as on Supabase.
 */
const PASSED_THROUGH =
  /^(PATH|HOME|TMPDIR|TMP|TEMP|LANG|LC_[A-Z]+|TZ|SSL_CERT_FILE|SSL_CERT_DIR|NODE_EXTRA_CA_CERTS|DENO_CERT|DENO_TLS_CA_STORE|NPM_CONFIG_REGISTRY|npm_config_registry|NPM_CONFIG_USERCONFIG|HTTPS?_PROXY|https?_proxy|NO_PROXY|no_proxy)$/;

/**
 * Reads `supabase/functions/.env` the way `supabase functions serve` does: `KEY=value` lines,
 * `#` comments, optional quotes; names starting with `SUPABASE_` are reserved and skipped.
 */
export async function readFunctionsDotEnv(
  path: string,
  log: (message: string) => void,
): Promise<Record<string, string>> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const values: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match?.[1]) continue;
    const name = match[1];
    let value = match[2] ?? '';
    const quoted = /^(["'])(.*)\1$/.exec(value);
    value = quoted ? (quoted[2] ?? '') : value.replace(/\s+#.*$/, '');
    if (name.startsWith('SUPABASE_')) {
      log(`functions: ${path}: env name cannot start with SUPABASE_, skipping ${name}`);
      continue;
    }
    values[name] = value;
  }
  return values;
}

/** The environment of one Deno worker: a few host variables, the project's .env, then Supabase's own. */
export function workerEnv(
  supabase: SupabaseFunctionEnv,
  dotEnv: Record<string, string>,
  denoDir: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && PASSED_THROUGH.test(name)) env[name] = value;
  }
  return {
    ...env,
    ...dotEnv,
    ...supabase,
    DENO_DIR: denoDir,
    // The repository's package.json is the Node project's, not the function's: without this Deno
    // would adopt it and fetch all of its dependencies (a function declares its own with npm:).
    DENO_NO_PACKAGE_JSON: '1',
    DENO_NO_UPDATE_CHECK: '1',
    NO_COLOR: '1',
  };
}
