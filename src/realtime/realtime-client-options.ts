import type { SupabaseClient } from '@supabase/supabase-js';
import type { Environment } from './environment.ts';

/** How createRealtimeClient is set up: the one supabase-js client, the organisation, and timings. */
export interface RealtimeClientOptions extends Partial<Environment> {
  /** One supabase-js client (the browser singleton); its session authorises every channel and read. */
  readonly supabase: SupabaseClient;
  readonly organizationId: string;
  /** After this long without a connection, `lost` fires (default 5 s). */
  readonly lostConnectionTimeoutMs?: number;
  readonly failedConnectionTimeoutMs?: number;
  /** Periodic catch-up of persisted streams (default 2.5 s; see catch-up.ts). */
  readonly catchUpIntervalMs?: number;
  /** How long a released channel lives on (default 1.5 s). */
  readonly channelGraceMs?: number;
  /** The realtime bridge's broadcast endpoint (default: beside the project's Realtime URL). */
  readonly bridgeUrl?: string;
}
