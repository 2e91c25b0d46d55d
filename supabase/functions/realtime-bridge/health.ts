import type { BridgeEnv } from './env.ts';

export type Component = 'database' | 'rest' | 'realtime';

export interface Check {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

/**
 * The project's Realtime messages-per-second quota, as Realtime's rate limiter reports it on every
 * `/api/ping` (`x-rate-rolling`, `x-rate-limit`; 429 while the 60 s average is at or over the
 * limit). While `limited`, Realtime drops database broadcasts and clients catch up late
 * (docs/capacity.md). The numbers are null when the platform did not send them.
 */
export interface Quota {
  readonly limited: boolean;
  readonly eventsPerSecond: number | null;
  readonly limit: number | null;
}

export interface Health {
  /** `degraded`: everything answers, but the project is over its Realtime quota (still 200). */
  readonly status: 'ok' | 'degraded' | 'down';
  /** The components that did not answer, e.g. `['database']`. */
  readonly down: readonly Component[];
  readonly checks: Readonly<Record<Component, Check>>;
  readonly quota: Quota;
}

const headerNumber = (response: Response | undefined, name: string): number | null => {
  const value = response?.headers.get(name);
  return value !== null && value !== undefined && /^-?\d+$/.test(value.trim()) ? Number(value) : null;
};

/**
 * Probes each component separately so a 503 names what is down: the database by a round trip
 * through REST (`rpc/bridge_ping`, which needs a working connection), REST by its root, and
 * Realtime by its ping endpoint, whose rate-limit headers also give the quota. A 429 from the ping
 * means Realtime is up and over its quota, not down.
 */
export async function checkHealth(env: BridgeEnv, fetchFn: typeof fetch = fetch): Promise<Health> {
  const base = (env.BRIDGE_HEALTH_URL ?? env.SUPABASE_URL).replace(/\/$/, '');
  const headers = { apikey: env.SUPABASE_SERVICE_ROLE_KEY, authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}` };
  const probe = async (
    url: string,
    init: RequestInit = {},
    up: (status: number) => boolean = (status) => status >= 200 && status < 300,
  ): Promise<{ check: Check; response?: Response }> => {
    const started = performance.now();
    try {
      const response = await fetchFn(url, {
        ...init,
        headers: { ...headers, ...init.headers },
        signal: AbortSignal.timeout(env.BRIDGE_HEALTH_TIMEOUT_MS),
      });
      await response.body?.cancel();
      const latencyMs = Math.round(performance.now() - started);
      const check = up(response.status)
        ? { ok: true, latencyMs }
        : { ok: false, latencyMs, error: `HTTP ${response.status}` };
      return { check, response };
    } catch (error) {
      return {
        check: { ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message },
      };
    }
  };
  const [database, rest, realtime] = await Promise.all([
    probe(`${base}/rest/v1/rpc/bridge_ping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }),
    probe(`${base}/rest/v1/`),
    probe(`${base}/realtime/v1/api/ping`, {}, (status) => (status >= 200 && status < 300) || status === 429),
  ]);
  const checks = { database: database.check, rest: rest.check, realtime: realtime.check };
  const down = (Object.keys(checks) as Component[]).filter((name) => !checks[name].ok);
  const quota: Quota = {
    limited: realtime.response?.status === 429,
    eventsPerSecond: headerNumber(realtime.response, 'x-rate-rolling'),
    limit: headerNumber(realtime.response, 'x-rate-limit'),
  };
  const status = down.length > 0 ? 'down' : quota.limited ? 'degraded' : 'ok';
  return { status, down, checks, quota };
}
