import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { BridgeEnv } from './env.ts';

/** How the bridge reaches Supabase: as the service role, or as the caller. */
export interface BridgeClients {
  /** Bypasses RLS: only for what no client grant allows, after the bridge's own checks. */
  readonly service: SupabaseClient;
  /** A client that sends the caller's token, so RLS decides (REST and Realtime alike). */
  asCaller(token: string): SupabaseClient;
  /** A client of its own for one Realtime connection (stats), closed by the user. */
  freshService(): SupabaseClient;
  /**
   * One private broadcast through Realtime's single-message endpoint, as `token` — the request
   * supabase-js `channel.httpSend` makes, without building a client and a channel per message.
   * Rejects with the server's reason, as httpSend does.
   */
  httpSend(token: string, topic: string, event: string, payload: unknown): Promise<void>;
}

/** realtime-js' default push timeout, which httpSend uses too. */
const HTTP_SEND_TIMEOUT_MS = 10_000;

/** Callers whose clients are kept (least recently used goes first). */
const CALLER_CLIENTS = 64;

const NO_SESSION = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } as const;

export function createBridgeClients(env: BridgeEnv): BridgeClients {
  const serviceClient = () => createClient(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY, { auth: NO_SESSION });
  const callers = new Map<string, SupabaseClient>();
  return {
    service: serviceClient(),
    asCaller(token) {
      // RATIONALE: building a supabase-js client costs more than the request it makes; a caller
      // usually sends many messages with one token, so the last few callers' clients are kept.
      let client = callers.get(token);
      if (client) {
        callers.delete(token);
      } else {
        client = createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
          auth: NO_SESSION,
          global: { headers: { Authorization: `Bearer ${token}` } },
        });
      }
      callers.set(token, client);
      if (callers.size > CALLER_CLIENTS) callers.delete(callers.keys().next().value!);
      return client;
    },
    freshService: serviceClient,
    async httpSend(token, topic, event, payload) {
      const url = new URL(
        `${env.SUPABASE_URL.replace(/\/$/, '')}/realtime/v1/api/broadcast/${encodeURIComponent(topic)}/events/${encodeURIComponent(event)}`,
      );
      url.searchParams.set('private', 'true');
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          apikey: token === env.SUPABASE_SERVICE_ROLE_KEY ? env.SUPABASE_SERVICE_ROLE_KEY : env.SUPABASE_ANON_KEY,
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(HTTP_SEND_TIMEOUT_MS),
      });
      if (response.status === 202) {
        await response.body?.cancel();
        return;
      }
      let reason = response.statusText;
      try {
        const body = (await response.json()) as { error?: string; message?: string };
        reason = body.error ?? body.message ?? reason;
      } catch {
        // Not JSON: the status text is the reason.
      }
      throw new Error(reason);
    },
  };
}
