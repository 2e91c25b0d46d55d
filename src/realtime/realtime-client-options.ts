import type { SupabaseClient } from '@supabase/supabase-js';
import type { TimingOptions } from './client-timings.ts';
import type { Environment } from './environment.ts';
import type { Database } from '../contract/index.ts';

/** How createRealtimeClient is set up: the one supabase-js client, the organisation, timings and the environment. */
export interface RealtimeClientOptions extends Partial<Environment>, TimingOptions {
  /** One supabase-js client (the browser singleton); its session authorises every channel and read. */
  readonly supabase: SupabaseClient<Database>;
  readonly organizationId: string;
  /** The realtime bridge's broadcast endpoint (default: beside the project's Realtime URL). */
  readonly bridgeUrl?: string;
  /** How often to ask Realtime whether the project is over its quota (default 15 s; 0: never). */
  readonly quotaProbeIntervalMs?: number;
}
