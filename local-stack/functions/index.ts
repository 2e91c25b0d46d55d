import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { headerValue, sendJson } from '../http.ts';
import { requestIdentity } from '../request-identity.ts';
import type { LocalService, ServiceContext } from '../service.ts';
import { denoExecutable } from './deno-executable.ts';
import { readFunctionsDotEnv, workerEnv, type SupabaseFunctionEnv } from './function-env.ts';
import { DEFAULT_FUNCTION_SETTINGS, readFunctionSettings } from './function-settings.ts';
import { BootError, FunctionWorker } from './function-worker.ts';
import { proxyToWorker } from './proxy-to-worker.ts';

const PREFIX = '/functions/v1';
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BOOTSTRAP = fileURLToPath(new URL('./deno-bootstrap.js', import.meta.url));

/** Supabase's function slugs: letters, digits, `_` and `-`. */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/** Hosted Supabase's answers, so clients and tests see the same bodies locally. */
const NOT_FOUND = { code: 'NOT_FOUND', message: 'Requested function was not found' } as const;
const BOOT_ERROR = { code: 'BOOT_ERROR', message: 'Function failed to start (please check logs)' } as const;
const MISSING_AUTHORIZATION = { code: 401, message: 'Missing authorization header' } as const;
const INVALID_JWT = { code: 401, message: 'Invalid JWT' } as const;

/**
 * `/functions/v1/<name>`: runs `<functionsDir>/<name>/index.ts` in real Deno, one long-lived
 * process per function started on its first request, and proxies requests to it unchanged.
 * `verify_jwt` (from `[functions.<name>]` in the config.toml next to the functions folder,
 * default true) is enforced here, before the function runs, as Supabase's relay does.
 */
export async function createFunctionsService(context: ServiceContext): Promise<LocalService> {
  const { config } = context;
  const functionsDir = config.functionsDir ?? join(REPO_ROOT, 'supabase', 'functions');
  const settings = await readFunctionSettings(join(dirname(functionsDir), 'config.toml'));
  const dotEnv = await readFunctionsDotEnv(join(functionsDir, '.env'), context.log);
  const denoDir = join(REPO_ROOT, '.pubdev', 'deno');
  mkdirSync(denoDir, { recursive: true });
  const supabaseEnv: SupabaseFunctionEnv = {
    SUPABASE_URL: context.publicUrl,
    SUPABASE_ANON_KEY: config.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: config.serviceRoleKey,
    ...(config.databaseUrl ? { SUPABASE_DB_URL: config.databaseUrl } : {}),
  };
  const env = workerEnv(supabaseEnv, dotEnv, denoDir);
  const workers = new Map<string, FunctionWorker>();
  let closed = false;

  function workerFor(name: string, entryPath: string): FunctionWorker {
    let worker = workers.get(name);
    if (!worker) {
      worker = new FunctionWorker({
        name,
        denoPath: denoExecutable(),
        bootstrapPath: BOOTSTRAP,
        entryPath,
        cwd: dirname(entryPath),
        env,
        log: context.log,
      });
      workers.set(name, worker);
    }
    return worker;
  }

  return {
    prefix: PREFIX,
    description: `${PREFIX} Edge Functions from ${relative(process.cwd(), functionsDir) || '.'} in Deno (verify_jwt from config.toml)`,
    async handleRequest(req, res, url) {
      const rest = url.pathname.slice(PREFIX.length);
      const name = rest.split('/')[1] ?? '';
      const entryPath = join(functionsDir, name, 'index.ts');
      const functionSettings = settings.get(name) ?? DEFAULT_FUNCTION_SETTINGS;
      if (closed || !FUNCTION_NAME.test(name) || !functionSettings.enabled || !existsSync(entryPath)) {
        return sendJson(res, 404, NOT_FOUND);
      }
      if (functionSettings.verifyJwt) {
        if (!headerValue(req, 'authorization')) return sendJson(res, 401, MISSING_AUTHORIZATION);
        // The relay reads only the Authorization header; an `sb_` key there stands for its JWT.
        const identity = await requestIdentity(req, config, { apiKeyFallback: false });
        if (!identity.ok) return sendJson(res, 401, INVALID_JWT);
      }
      const worker = workerFor(name, entryPath);
      let running;
      try {
        running = await worker.start();
      } catch (error) {
        if (!(error instanceof BootError)) throw error;
        context.log(`functions: ${error.message}`);
        return sendJson(res, 503, BOOT_ERROR);
      }
      // The function sees `/<name>/…?query`, as on Supabase, where the /functions/v1 prefix is stripped.
      await proxyToWorker(req, res, running, `${rest}${url.search}`, (lost) => worker.discard(lost));
    },
    async close() {
      closed = true;
      await Promise.all([...workers.values()].map((worker) => worker.stop()));
    },
  };
}
