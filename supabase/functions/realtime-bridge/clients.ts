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
}

const NO_SESSION = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } as const;

export function createBridgeClients(env: BridgeEnv): BridgeClients {
  const serviceClient = () => createClient(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY, { auth: NO_SESSION });
  return {
    service: serviceClient(),
    asCaller(token) {
      return createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
        auth: NO_SESSION,
        global: { headers: { Authorization: `Bearer ${token}` } },
      });
    },
    freshService: serviceClient,
  };
}
