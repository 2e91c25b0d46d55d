/** GoTrue's `SetBurst(30)` on the `/token` limiter: at most this many requests at once. */
const GOTRUE_TOKEN_BURST = 30;
const WINDOW_MS = 5 * 60_000;

export interface TokenRateLimit {
  /** Takes one request from `ip`'s allowance; false when it has none left (answer 429). */
  take(ip: string): boolean;
}

/**
 * Supabase Auth's limit on `POST /token` per client IP (`GOTRUE_RATE_LIMIT_TOKEN_REFRESH`,
 * `[auth.rate_limit] token_refresh` in config.toml, 150 by default): a token bucket refilled at
 * `perFiveMinutes` requests per five minutes, holding at most 30 — GoTrue's burst — or
 * `perFiveMinutes` when that is lower, so a small configured limit means what it says.
 *
 * RATIONALE: without it a script can try passwords as fast as bcrypt answers; hosted Supabase
 * would refuse it after the burst, so an app tested only locally would never see that 429.
 */
export function createTokenRateLimit(perFiveMinutes: number, now: () => number = Date.now): TokenRateLimit {
  const burst = Math.min(GOTRUE_TOKEN_BURST, perFiveMinutes);
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
