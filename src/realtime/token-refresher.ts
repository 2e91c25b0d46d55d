import type { SupabaseClient } from '@supabase/supabase-js';
import { readAccessTokenClaims, refreshMarginMs } from './access-token.ts';
import type { Environment, TimerHandle } from './environment.ts';
import { RealtimeError } from './realtime-error.ts';
import type { Database } from '../contract/index.ts';

export interface TokenRefresher {
  /** Sets the first token on Realtime (before any join) and schedules refreshes; resolves with the user id. */
  start(): Promise<string | null>;
  /**
   * Refreshes the token now and pushes it to every channel: Realtime then re-runs the read
   * policies of each one and closes those the user may no longer read (a rights change).
   */
  refreshNow(): Promise<void>;
  stop(): void;
}

/** After a failed refresh, retry this soon: the token is still valid for at least the margin. */
const RETRY_MS = 1000;

/**
 * RATIONALE: realtime-js asks its `accessToken` callback only on connect and on each heartbeat
 * (25 s), and supabase-js' auth refreshes on a 30 s tick: a token that expires between two of
 * those reaches the server expired, and the server closes every private channel (CLOSED, which
 * realtime-js never rejoins). Refreshing on our own schedule, a margin before `exp`, and pushing
 * the new token with `setAuth` keeps every channel joined through any number of expiries.
 */
export function createTokenRefresher(
  supabase: SupabaseClient<Database>,
  env: Environment,
  onError: (error: RealtimeError) => void,
): TokenRefresher {
  let timer: TimerHandle | undefined;
  let stopped = false;

  const schedule = (token: string | null): void => {
    const claims = readAccessTokenClaims(token);
    if (!claims || stopped) return;
    const now = env.now();
    const delay = Math.max(0, claims.exp * 1000 - refreshMarginMs(claims, now) - now);
    timer = env.timers.setTimeout(() => void refresh(), delay);
  };

  const refresh = async (): Promise<void> => {
    timer = undefined;
    try {
      const token = await freshToken(supabase);
      if (stopped) return;
      await supabase.realtime.setAuth(token);
      schedule(supabase.realtime.accessTokenValue);
    } catch (cause) {
      onError(RealtimeError.from({ kind: 'auth' }, cause));
      if (!stopped) timer = env.timers.setTimeout(() => void refresh(), RETRY_MS);
    }
  };

  return {
    async start() {
      stopped = false;
      await supabase.realtime.setAuth();
      const token = supabase.realtime.accessTokenValue;
      schedule(token);
      return readAccessTokenClaims(token)?.sub ?? null;
    },
    async refreshNow() {
      if (stopped) return;
      if (timer !== undefined) env.timers.clearTimeout(timer);
      await refresh();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) env.timers.clearTimeout(timer);
      timer = undefined;
    },
  };
}

/**
 * A new token: from supabase-js' auth session (refreshSession rotates it), or, for a client
 * configured with its own `accessToken` callback (third-party auth, where `supabase.auth` throws),
 * `null`, which tells setAuth to ask that callback again.
 */
async function freshToken(supabase: SupabaseClient<Database>): Promise<string | null> {
  let auth: SupabaseClient<Database>['auth'];
  try {
    auth = supabase.auth;
    void auth.refreshSession; // the accessToken-option proxy throws on any property
  } catch {
    return null;
  }
  const { data, error } = await auth.refreshSession();
  if (error) throw error;
  return data.session?.access_token ?? null;
}
