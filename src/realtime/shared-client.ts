import type { SupabaseClient } from '@supabase/supabase-js';
import { createRealtimeClient, type RealtimeClient, type RealtimeClientOptions } from './realtime-client.ts';
import type { Database } from '../contract/index.ts';

const shared = new WeakMap<SupabaseClient<Database>, Map<string, RealtimeClient>>();

/**
 * The one core of a supabase-js client and organisation, created on first use.
 *
 * RATIONALE: supabase-js keeps one channel per topic per client (`supabase.channel(topic)` hands
 * back the existing one), so two cores over one client would share, and tear down, each other's
 * channels. A provider that re-mounts (StrictMode, navigation) therefore gets the same core back,
 * whose channels are still in their grace period.
 */
export function sharedRealtimeClient(options: RealtimeClientOptions): RealtimeClient {
  let byOrg = shared.get(options.supabase);
  if (!byOrg) {
    byOrg = new Map();
    shared.set(options.supabase, byOrg);
  }
  let client = byOrg.get(options.organizationId);
  if (!client) {
    client = createRealtimeClient(options);
    byOrg.set(options.organizationId, client);
  }
  return client;
}
