/**
 * A writer that keeps writing through outages, as agents and backend workers do: an agent account
 * reports progress on its runs, the service role posts team updates and notifications and saves
 * publishers. Every write is retried (with a short capped backoff) until the stack accepts it; an
 * insert carries its own id, so a retry after a lost answer finds its row instead of adding one.
 */
import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';

/** First retry soon, then every 500 ms: an outage of a few seconds costs a handful of attempts. */
const RETRY_DELAYS_MS = [50, 100, 200, 500] as const;
const UNIQUE_VIOLATION = '23505';

export interface WriterClients {
  /** Signed in as the organisation's agent account (writes agent_runs under RLS). */
  readonly agent: SupabaseClient;
  /** The service role (team updates, notifications, publisher saves). */
  readonly service: SupabaseClient;
}

export interface WriterOptions {
  readonly organizationId: string;
  readonly runIds: readonly string[];
  /** Territory-scoped team updates go here every other time (null: org-wide only). */
  readonly territory: string | null;
  readonly publisherIds: readonly string[];
  /** Pause between rounds (one round = a progress write, a team update, a notification, sometimes a save). */
  readonly pauseMs?: number;
}

interface WriterReport {
  readonly rounds: number;
  /** Attempts that failed and were retried (proof that the writer wrote through an outage). */
  readonly failedAttempts: number;
  /** Ids of the inserts the stack acknowledged (answered without an error). */
  readonly acknowledged: { readonly teamUpdates: readonly string[]; readonly notifications: readonly string[] };
}

export interface Writer {
  /** Resolves once `rounds` more rounds have completed from now. */
  rounds(count: number): Promise<void>;
  readonly failedAttempts: number;
  stop(): Promise<WriterReport>;
}

type Attempt = () => PromiseLike<{ error: { code?: string; message: string } | null }>;

export function startWriter(clients: WriterClients, options: WriterOptions): Writer {
  let stopped = false;
  let rounds = 0;
  let failedAttempts = 0;
  const acknowledged = { teamUpdates: [] as string[], notifications: [] as string[] };
  const waiters: { at: number; resolve: () => void }[] = [];

  const retry = async (what: string, attempt: Attempt): Promise<void> => {
    for (let n = 0; ; n++) {
      let failure: string;
      try {
        const { error } = await attempt();
        if (!error || error.code === UNIQUE_VIOLATION) return;
        failure = `${error.code ?? ''} ${error.message}`;
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
      }
      failedAttempts += 1;
      if (stopped && n > 200) throw new Error(`writer: ${what} still failing after stop: ${failure}`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[Math.min(n, RETRY_DELAYS_MS.length - 1)]));
    }
  };

  const round = async (i: number): Promise<void> => {
    const { organizationId, runIds, territory, publisherIds } = options;
    const runId = runIds[i % runIds.length]!;
    await retry('agent progress', () =>
      // An upsert: the first write starts a run that is not in the seed.
      clients.agent.from('agent_runs').upsert(
        {
          id: runId,
          organization_id: organizationId,
          agent_id: 'enrichment-agent',
          status: 'processing',
          progress: i % 101,
          current_task: `step ${i}`,
        },
        { onConflict: 'id' },
      ),
    );
    const teamUpdateId = randomUUID();
    await retry('team update', () =>
      clients.service.from('team_updates').insert({
        id: teamUpdateId,
        organization_id: organizationId,
        update_type: 'assignment',
        message: `round ${i}`,
        territory: territory !== null && i % 2 === 1 ? territory : null,
        details: {},
      }),
    );
    acknowledged.teamUpdates.push(teamUpdateId);
    const notificationId = randomUUID();
    await retry('notification', () =>
      clients.service.from('notifications').insert({
        id: notificationId,
        organization_id: organizationId,
        level: 'info',
        message: `notice ${i}`,
        persistent: true,
      }),
    );
    acknowledged.notifications.push(notificationId);
    if (publisherIds.length > 0 && i % 3 === 0) {
      const publisherId = publisherIds[(i / 3) % publisherIds.length]!;
      await retry('publisher save', () =>
        clients.service
          .from('publishers')
          .update({ custom_fields: { round: i } })
          .eq('id', publisherId),
      );
    }
  };

  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      await round(i);
      rounds += 1;
      for (const waiter of waiters.filter((w) => w.at <= rounds)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  })();

  return {
    rounds(count) {
      return new Promise((resolve) => waiters.push({ at: rounds + count, resolve }));
    },
    get failedAttempts() {
      return failedAttempts;
    },
    async stop() {
      stopped = true;
      await loop;
      return { rounds, failedAttempts, acknowledged };
    },
  };
}
