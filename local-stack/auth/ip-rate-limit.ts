/** GoTrue's `SetBurst(30)` on its per-IP limiters: at most this many requests at once. */
const GOTRUE_BURST = 30;
const WINDOW_MS = 5 * 60_000;

export interface IpRateLimit {
  /** Takes one request from `ip`'s allowance; false when it has none left (answer 429). */
  take(ip: string): boolean;
}

/**
 * One of Supabase Auth's per-IP limiters (`newLimiterPer5mOver1h`): a token bucket refilled at
 * `perFiveMinutes` requests per five minutes, holding at most 30 — GoTrue's burst — or
 * `perFiveMinutes` when that is lower, so a small configured limit means what it says. Auth keeps
 * one per endpoint family: `/token` (`token_refresh`, 150), `/signup` and `PUT /user`
 * (`sign_in_sign_ups`, 30 each), `/verify` (`token_verifications`, 30).
 *
 * RATIONALE: hosted Supabase enforces these by client IP. Without them a script could try
 * passwords or create accounts as fast as the stack answers, and an app tested only locally would
 * never see the 429 it meets when deployed. (`supabase start` passes no client-IP header to its
 * Auth server, which then skips these limits: the stack follows the hosted behaviour.)
 */
export function createIpRateLimit(perFiveMinutes: number, now: () => number = Date.now): IpRateLimit {
  const burst = Math.min(GOTRUE_BURST, perFiveMinutes);
  const refillPerMs = perFiveMinutes / WINDOW_MS;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(ip) {
      const t = now();
      // Forget clients whose bucket has refilled: the map stays as small as the active clients.
      if (buckets.size > 1000) {
        for (const [key, b] of buckets) if (b.tokens + (t - b.at) * refillPerMs >= burst) buckets.delete(key);
      }
      const bucket = buckets.get(ip) ?? { tokens: burst, at: t };
      bucket.tokens = Math.min(burst, bucket.tokens + Math.max(0, t - bucket.at) * refillPerMs);
      bucket.at = t;
      buckets.set(ip, bucket);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
}

export interface EmailRateLimit {
  readonly perHour: number;
  /** Counts one email; false when the project's hourly allowance is spent. */
  allow(): boolean;
}

const HOUR_MS = 60 * 60_000;

/**
 * Supabase Auth's project-wide email limit (`RATE_LIMIT_EMAIL_SENT`, GoTrue's `IntervalLimiter`):
 * `perHour` emails in each hour counted from the server's start; 0 refuses every email.
 */
export function createEmailRateLimit(perHour: number, now: () => number = Date.now): EmailRateLimit {
  let windowStart = now();
  let sent = 0;
  return {
    perHour,
    allow() {
      const t = now();
      const elapsed = Math.floor((t - windowStart) / HOUR_MS);
      if (elapsed > 0) {
        windowStart += elapsed * HOUR_MS;
        sent = 0;
      }
      if (sent >= perHour) return false;
      sent++;
      return true;
    },
  };
}
