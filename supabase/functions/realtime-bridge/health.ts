import type { BridgeEnv } from './env.ts';

export type Component = 'database' | 'rest' | 'realtime';

export interface Check {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

export interface Health {
  readonly status: 'ok' | 'down';
  /** The components that did not answer, e.g. `['database']`. */
  readonly down: readonly Component[];
  readonly checks: Readonly<Record<Component, Check>>;
}

/**
 * Probes each component separately so a 503 names what is down: the database by a round trip
 * through REST (`rpc/bridge_ping`, which needs a working connection), REST by its root, and
 * Realtime by its ping endpoint.
 */
export async function checkHealth(env: BridgeEnv, fetchFn: typeof fetch = fetch): Promise<Health> {
  const base = (env.BRIDGE_HEALTH_URL ?? env.SUPABASE_URL).replace(/\/$/, '');
  const headers = { apikey: env.SUPABASE_SERVICE_ROLE_KEY, authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}` };
  const probe = async (url: string, init: RequestInit = {}): Promise<Check> => {
    const started = performance.now();
    try {
      const response = await fetchFn(url, {
        ...init,
        headers: { ...headers, ...init.headers },
        signal: AbortSignal.timeout(env.BRIDGE_HEALTH_TIMEOUT_MS),
      });
      await response.body?.cancel();
      const latencyMs = Math.round(performance.now() - started);
      return response.ok ? { ok: true, latencyMs } : { ok: false, latencyMs, error: `HTTP ${response.status}` };
    } catch (error) {
      return { ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
    }
  };
  const [database, rest, realtime] = await Promise.all([
    probe(`${base}/rest/v1/rpc/bridge_ping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }),
    probe(`${base}/rest/v1/`),
    probe(`${base}/realtime/v1/api/ping`),
  ]);
  const checks = { database, rest, realtime };
  const down = (Object.keys(checks) as Component[]).filter((name) => !checks[name].ok);
  return { status: down.length === 0 ? 'ok' : 'down', down, checks };
}
