/**
 * What happens to the soak's organisations while the people watch: each organisation's agent
 * account reports progress on its runs (table writes under RLS, as the Python SDK does), the
 * service role posts team updates (org-wide and per territory) and org-wide notifications, and
 * saves publishers. Paced at `rate` persisted events per second in all, spread over the
 * organisations in turn. Every event is recorded with the moment its write started, keyed by the
 * id subscribers will see.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SOAK_PASSWORD, type SoakOrg } from './fixture.ts';

export type EventKind = 'agent_status' | 'team_update' | 'notification' | 'publisher_save';

export interface SoakEvent {
  readonly kind: EventKind;
  readonly orgId: string;
  /** Territory-scoped team updates; null for everything org-wide. */
  readonly territory: string | null;
  readonly startedAt: number;
}

export interface Load {
  readonly events: ReadonlyMap<string, SoakEvent>;
  /** Writes the stack refused or failed. */
  readonly errors: string[];
  /** Ticks skipped because MAX_IN_FLIGHT writes were still running (the offered rate was not reached). */
  readonly deferred: number;
  /** Agent writes refused as "JWT expired" and sent again after a refresh (the SDK's retry). */
  readonly expiredRetries: number;
  stop(): Promise<void>;
}

/** The mix of one cycle of ten events: agents report most, people post and save less. */
const CYCLE: readonly EventKind[] = [
  'agent_status',
  'team_update',
  'agent_status',
  'notification',
  'agent_status',
  'team_update',
  'agent_status',
  'publisher_save',
  'agent_status',
  'agent_status',
];
/** Writes in flight at most: enough to hold the rate on a slow database, few enough not to pile up. */
const MAX_IN_FLIGHT = 16;
/** PostgREST's "JWT expired". */
const EXPIRED_TOKEN = 'PGRST303';
const NO_SESSION = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } as const;
const now = () => performance.timeOrigin + performance.now();

export async function startLoad(
  orgs: readonly SoakOrg[],
  options: { url: string; anonKey: string; serviceRoleKey: string; rate: number },
): Promise<Load> {
  const service = createClient(options.url, options.serviceRoleKey, { auth: NO_SESSION });
  const agents = new Map<string, SupabaseClient>();
  for (const org of orgs) {
    // The agents refresh their session as the Python SDK does: the soak outlives a 10-minute token.
    const agent = createClient(options.url, options.anonKey, {
      auth: { ...NO_SESSION, autoRefreshToken: true, storageKey: org.agent.id },
    });
    const { error } = await agent.auth.signInWithPassword({ email: org.agent.email, password: SOAK_PASSWORD });
    if (error) throw new Error(`soak: agent sign-in failed: ${error.message}`);
    agents.set(org.id, agent);
  }
  const events = new Map<string, SoakEvent>();
  const errors: string[] = [];
  const busyRuns = new Set<string>();
  let inFlight = 0;
  let deferred = 0;
  let expiredRetries = 0;
  let stopped = false;
  let n = 0;

  const write = async (kind: EventKind, org: SoakOrg, i: number): Promise<void> => {
    const startedAt = now();
    if (kind === 'agent_status') {
      const runId = org.runIds[i % org.runIds.length]!;
      // One write per run at a time: the seq order is the order the agent meant.
      if (busyRuns.has(runId)) return;
      busyRuns.add(runId);
      try {
        const agent = agents.get(org.id)!;
        const report = () =>
          agent
            .from('agent_runs')
            .update({ status: 'processing', progress: i % 101, current_task: `soak step ${i}` })
            .eq('id', runId)
            .select('seq')
            .single();
        let { data, error } = await report();
        if (error?.code === EXPIRED_TOKEN) {
          // As the Python SDK does: supabase-js refreshes ahead of expiry, but when that refresh
          // failed (under load) it keeps the old token to its last second, and a write sent then
          // arrives expired. Refresh once and report again; a second refusal stands.
          expiredRetries += 1;
          const refreshed = await agent.auth.refreshSession();
          if (refreshed.error) throw refreshed.error;
          ({ data, error } = await report());
        }
        if (error) throw error;
        events.set(`${runId}:${String(data!.seq)}`, { kind, orgId: org.id, territory: null, startedAt });
      } finally {
        busyRuns.delete(runId);
      }
      return;
    }
    if (kind === 'publisher_save') {
      const publisher = org.publishers[i % org.publishers.length]!;
      const { error } = await service
        .from('publishers')
        .update({ custom_fields: { soak: i } })
        .eq('id', publisher.id);
      if (error) throw error;
      return;
    }
    const id = randomUUID();
    const territory =
      kind === 'team_update' && i % 2 === 1 ? org.publishers[i % org.publishers.length]!.territory : null;
    events.set(id, { kind, orgId: org.id, territory, startedAt });
    const { error } =
      kind === 'team_update'
        ? await service.from('team_updates').insert({
            id,
            organization_id: org.id,
            update_type: 'assignment',
            message: `soak ${i}`,
            territory,
            details: {},
          })
        : await service
            .from('notifications')
            .insert({ id, organization_id: org.id, level: 'info', message: `soak ${i}`, persistent: true });
    if (error) {
      events.delete(id);
      throw error;
    }
  };

  const started = now();
  const loop = (async () => {
    while (!stopped) {
      // Paced on absolute times, so a slow write delays nothing after it.
      const due = started + (n * 1000) / options.rate;
      const wait = due - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (stopped) break;
      const i = n++;
      if (inFlight >= MAX_IN_FLIGHT) {
        // Backpressure, not a failure: the stack is slower than the offered rate (reported).
        deferred += 1;
        continue;
      }
      inFlight += 1;
      const org = orgs[i % orgs.length]!;
      void write(CYCLE[Math.floor(i / orgs.length) % CYCLE.length]!, org, i)
        .catch((error: unknown) => {
          errors.push(`${error instanceof Error ? error.message : JSON.stringify(error)}`);
        })
        .finally(() => {
          inFlight -= 1;
        });
    }
  })();

  return {
    events,
    errors,
    get deferred() {
      return deferred;
    },
    get expiredRetries() {
      return expiredRetries;
    },
    async stop() {
      stopped = true;
      await loop;
      while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await Promise.all([...agents.values()].map((agent) => agent.auth.stopAutoRefresh()));
    },
  };
}
