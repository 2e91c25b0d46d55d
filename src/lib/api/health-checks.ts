import { createRealtimeServer, type Health } from '../../server/index.ts';
import type { PublicSupabaseConfig } from '../supabase/public-config.ts';

interface Check {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string | undefined;
}

export interface HealthReport {
  /** `degraded`: everything answers, but the project is over its Realtime quota (answered with 200). */
  readonly status: 'ok' | 'degraded' | 'down';
  readonly down: readonly string[];
  /**
   * Realtime's messages-per-second quota as its rate limiter reports it, through the bridge: while
   * `limited`, database broadcasts are dropped and dashboards catch up late (docs/capacity.md).
   * Null when the bridge did not report it.
   */
  readonly quota: Health['quota'] | null;
  readonly checks: Readonly<Record<'app' | 'supabase' | 'bridge' | 'database' | 'rest' | 'realtime', Check>>;
  readonly timestamp: string;
}

// A probe that takes longer than this counts as down: a health endpoint must answer even when
// what it checks hangs. Five seconds leaves room for an edge function's cold start (a second or
// two) and stays under the 10 s that load balancers usually wait.
const PROBE_TIMEOUT_MS = 5_000;

async function timed<T>(probe: (signal: AbortSignal) => Promise<T>): Promise<{ value?: T; check: Check }> {
  const started = performance.now();
  try {
    const value = await probe(AbortSignal.timeout(PROBE_TIMEOUT_MS));
    return { value, check: { ok: true, latencyMs: Math.round(performance.now() - started) } };
  } catch (error) {
    const message =
      error instanceof Error
        ? error.cause instanceof Error
          ? `${error.message}: ${error.cause.message}`
          : error.message
        : String(error);
    return { check: { ok: false, latencyMs: Math.round(performance.now() - started), error: message } };
  }
}

const unknownCheck = (why: string): Check => ({ ok: false, latencyMs: 0, error: why });

/**
 * App, Supabase (Auth's health endpoint), the bridge, and what the bridge sees behind it
 * (database, REST, Realtime), each with its latency. Probes run in parallel and are bounded.
 */
export async function checkHealth(
  config: PublicSupabaseConfig,
  serviceRoleKey: string | undefined,
  started: number,
): Promise<HealthReport> {
  const [supabase, bridge] = await Promise.all([
    timed(async (signal) => {
      const response = await fetch(`${config.serverUrl}/auth/v1/health`, {
        headers: { apikey: config.anonKey },
        signal,
        cache: 'no-store',
      });
      if (!response.ok) throw new Error(`Auth answered ${response.status}`);
    }),
    timed(async (signal): Promise<Health> => {
      const server = createRealtimeServer({
        supabaseUrl: config.serverUrl,
        serviceRoleKey: serviceRoleKey ?? config.anonKey,
        fetch: (input, init) => fetch(input, { ...init, signal, cache: 'no-store' }),
      });
      return server.getHealth();
    }),
  ]);
  const behind = bridge.value?.checks;
  const why = bridge.check.ok ? 'not reported' : 'the bridge did not answer';
  const checks = {
    app: { ok: true, latencyMs: 0, uptimeSeconds: Math.round((Date.now() - started) / 1000) },
    supabase: supabase.check,
    bridge: bridge.check,
    database: behind?.database ?? unknownCheck(why),
    rest: behind?.rest ?? unknownCheck(why),
    realtime: behind?.realtime ?? unknownCheck(why),
  };
  const down = Object.entries(checks)
    .filter(([, check]) => !check.ok)
    .map(([name]) => name);
  const quota = bridge.value?.quota ?? null;
  const status = down.length > 0 ? 'down' : quota?.limited ? 'degraded' : 'ok';
  return { status, down, checks, quota, timestamp: new Date().toISOString() };
}
