import { z } from 'zod';
import { ONLINE_CLAIM, orgTopic } from '../contract/index.ts';
import { catchUpWhileActive, createCatchUp, sinceCursor } from './catch-up.ts';
import type { ChannelHandle } from './channel-types.ts';
import type { CoreContext } from './core-context.ts';
import type { TimerHandle } from './environment.ts';
import { createTicketedPresence, type TicketedPresence } from './presence-tickets.ts';
import { createPresenceVerifier, type PresenceVerifier } from './presence-verifier.ts';
import { createLatestValueLimiter } from './rate-limiter.ts';
import { RealtimeError } from './realtime-error.ts';
import { readRows } from './persisted-stream.ts';
import { timeOf } from './rows.ts';
import { createCoalescedStore, type ReadableStore } from './store.ts';
import { createTopicSet, type TopicSet } from './topic-set.ts';
import type { UserSnapshot, UserStatus } from './user-snapshot.ts';
import { mergeActivity, type Activity } from './user-activity.ts';

export type { UserSnapshot, UserStatus } from './user-snapshot.ts';

export interface ActivityInput {
  readonly action: string;
  readonly timestamp?: string;
  readonly territory?: string;
  readonly publisherId?: string;
  readonly status?: UserStatus;
}

export interface UserSnapshotsStore extends ReadableStore<readonly UserSnapshot[]> {
  /**
   * May be called at any rate: peers get the latest within ~1 s, an `away` only after
   * AWAY_AFTER_MS without anything else, and nothing for a report that changes nothing they see.
   */
  updateActivity(activity: ActivityInput): void;
}

/** A user whose last tab left stays listed this long, so a reload or a network blip does not flicker. */
export const LEAVE_HOLD_MS = 2000;
/** Activity reports per user: at most one per 500 ms (peers see the latest within ~1 s). */
const REPORT_INTERVAL_MS = 500;
/**
 * A hidden tab is reported `away` only once it has stayed hidden this long. Glancing at another
 * tab is not being away, and every report is a message to everyone online on the organisation's
 * topic (docs/capacity.md "Activity"); coming back before then reports nothing at all.
 */
const AWAY_AFTER_MS = 30_000;

const activityRowSchema = z.object({
  user_id: z.string(),
  action: z.string(),
  status: z.enum(['online', 'away', 'offline']),
  territory: z.string().nullable(),
  publisher_id: z.string().nullable(),
  seq: z.coerce.number(),
  updated_at: z.string(),
});

/**
 * "Online now": who is present on the organisation's topic, as far as the database vouches for
 * it (presence-verifier.ts), with what each is doing. Activity is the database's
 * (`report_activity`): read back with `organization_activity` after every (re)join and every
 * catch-up, and live as user_snapshot broadcasts on the organisation's topic and on the topics of
 * the territories the viewer may read, so activity about a publisher never reaches someone who
 * may not read it.
 */
export function createUserSnapshotsStore(ctx: CoreContext): UserSnapshotsStore {
  const activities = new Map<string, Activity>();
  const held = new Map<string, { snapshot: UserSnapshot; timer: TimerHandle }>();
  // The newest `updated_at` a completed read returned: live messages never move it, since a
  // sibling channel's could pass what a channel that was down missed (persisted-stream.ts).
  let cursor: string | null = null;
  let fullRead = true;
  let present: ReadonlyMap<string, { readonly connections: number }> = new Map();
  let presence: TicketedPresence | undefined;
  let verifier: PresenceVerifier | undefined;
  let awayTimer: TimerHandle | undefined;
  const changed = (): void => store.invalidate();

  const keep = (userId: string, incoming: Activity): void => {
    const merged = mergeActivity(activities.get(userId), incoming);
    if (merged === activities.get(userId)) return;
    activities.set(userId, merged);
    changed();
  };

  const snapshotOf = (userId: string, connections: number): UserSnapshot => {
    const activity = activities.get(userId);
    return Object.freeze({
      userId,
      status: activity?.status ?? 'online',
      action: activity?.action ?? '',
      ...(activity?.territory ? { territory: activity.territory } : {}),
      ...(activity?.publisherId ? { publisherId: activity.publisherId } : {}),
      timestamp: activity?.timestamp ?? new Date(ctx.env.now()).toISOString(),
      connections,
    });
  };

  const onVerified = (): void => {
    const next = verifier?.verified() ?? new Map();
    for (const userId of present.keys()) {
      if (next.has(userId) || held.has(userId)) continue;
      // RATIONALE: a reload or a blip is a leave and a join; holding the last entry briefly keeps it from flickering.
      const timer = ctx.env.timers.setTimeout(() => {
        held.delete(userId);
        changed();
      }, LEAVE_HOLD_MS);
      held.set(userId, { snapshot: snapshotOf(userId, present.get(userId)!.connections), timer });
    }
    for (const userId of next.keys()) {
      const hold = held.get(userId);
      if (hold) ctx.env.timers.clearTimeout(hold.timer);
      held.delete(userId);
    }
    present = next;
    changed();
  };

  const read = async (): Promise<void> => {
    await ctx.ready;
    const full = fullRead || cursor === null;
    fullRead = false;
    const rows = await readRows(
      ctx,
      'organization_activity',
      activityRowSchema,
      ctx.supabase.rpc('organization_activity', {
        organization_id: ctx.organizationId,
        ...(full ? {} : { since: sinceCursor(cursor!) }), // left out: the default, null, reads everything
      }),
    );
    if (!rows) {
      fullRead ||= full;
      return;
    }
    // A full read is the truth: what the viewer may no longer see comes back blank, not stale.
    if (full) activities.clear();
    for (const row of rows) {
      if (cursor === null || timeOf(row.updated_at) > timeOf(cursor)) cursor = row.updated_at;
      keep(row.user_id, {
        action: row.action,
        status: row.status,
        timestamp: new Date(timeOf(row.updated_at)).toISOString(),
        seq: row.seq,
        complete: true,
        ...(row.territory ? { territory: row.territory } : {}),
        ...(row.publisher_id ? { publisherId: row.publisher_id } : {}),
      });
    }
    changed();
  };
  const reader = createCatchUp(read, ctx.env, ctx.catchUpIntervalMs);

  ctx.onAccessChange((change) => {
    present = new Map();
    for (const { timer } of held.values()) ctx.env.timers.clearTimeout(timer);
    held.clear();
    activities.clear();
    fullRead = true;
    changed();
    if (change.kind === 'updated') reader.request();
  });

  const onBroadcast = (topic: string, event: string, payload: unknown): void => {
    const message = ctx.accept(topic, event, payload);
    if (message?.type !== 'user_snapshot') return;
    const { action, status, territory, publisherId } = message.data.activity;
    const seq = Number(/:(\d+)(?::org)?$/.exec(message.id)?.[1] ?? Number.NaN);
    keep(message.data.userId, {
      action,
      status,
      timestamp: new Date(timeOf(message.timestamp)).toISOString(),
      seq: Number.isFinite(seq) ? seq : null,
      complete: !message.id.endsWith(':org'),
      ...(territory ? { territory } : {}),
      ...(publisherId ? { publisherId } : {}),
    });
  };

  const store = createCoalescedStore<readonly UserSnapshot[]>({
    requestFrame: ctx.env.requestFrame,
    now: ctx.env.now,
    build: () => {
      const list: UserSnapshot[] = [];
      for (const [userId, { connections }] of present) list.push(snapshotOf(userId, connections));
      for (const { snapshot } of held.values()) list.push(snapshot);
      list.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
      return Object.freeze(list);
    },
    onActive: () => {
      const org = orgTopic(ctx.organizationId);
      verifier = createPresenceVerifier(ctx, org, onVerified);
      let orgHandle: ChannelHandle | undefined;
      const topics: TopicSet = createTopicSet(ctx, (topic) => ({
        onBroadcast: (event, payload) => onBroadcast(topic, event, payload),
        // What a territory's channel missed while it was down is read back (since the cursor).
        onSubscribed: () => reader.request(),
      }));
      orgHandle = ctx.acquire(org, {
        onPresenceSync: (state) => verifier?.update(state),
        onBroadcast: (event, payload) => onBroadcast(org, event, payload),
        onSubscribed: () => {
          fullRead = true;
          reader.request();
        },
      });
      presence = createTicketedPresence(ctx, org, orgHandle);
      presence.claim(ONLINE_CLAIM);
      topics.joinTerritoryTopics();
      const stopCatchUp = catchUpWhileActive(ctx, reader);
      return () => {
        stopCatchUp();
        reporter.cancel();
        if (awayTimer !== undefined) ctx.env.timers.clearTimeout(awayTimer);
        awayTimer = undefined;
        presence?.stop();
        verifier?.stop();
        topics.release();
        orgHandle?.release();
        presence = verifier = orgHandle = undefined;
      };
    },
  });

  const reporter = createLatestValueLimiter<ActivityInput & { status: UserStatus }>(
    ctx.env,
    1,
    REPORT_INTERVAL_MS,
    (input) =>
      void ctx.ready.then(async (userId) => {
        if (!userId) return;
        const { error } = await ctx.supabase.rpc('report_activity', {
          organization_id: ctx.organizationId,
          action: input.action,
          status: input.status,
          // Left out when not given: the defaults are null.
          ...(input.territory === undefined ? {} : { territory: input.territory }),
          ...(input.publisherId === undefined ? {} : { publisher_id: input.publisherId }),
        });
        if (error) ctx.reportError(RealtimeError.from({ kind: 'request', operation: 'report_activity' }, error));
      }),
  );

  const report = (input: ActivityInput & { status: UserStatus }): void => {
    const userId = ctx.userId();
    const known = userId ? activities.get(userId) : undefined;
    if (known && sameActivity(known, input)) return; // peers already see this (or it is on its way)
    // The person's own action shows at once; the database's copy (higher seq) replaces it.
    if (userId) {
      activities.set(userId, {
        action: input.action,
        status: input.status,
        timestamp: input.timestamp ?? new Date(ctx.env.now()).toISOString(),
        seq: null,
        complete: true,
        ...(input.territory ? { territory: input.territory } : {}),
        ...(input.publisherId ? { publisherId: input.publisherId } : {}),
      });
      changed();
    }
    reporter.offer(input);
  };

  return {
    subscribe: store.subscribe,
    getSnapshot: store.getSnapshot,
    updateActivity(input) {
      const status = input.status ?? 'online';
      if (awayTimer !== undefined) ctx.env.timers.clearTimeout(awayTimer);
      awayTimer = undefined;
      if (status === 'away') {
        awayTimer = ctx.env.timers.setTimeout(() => {
          awayTimer = undefined;
          report({ ...input, status });
        }, AWAY_AFTER_MS);
        return;
      }
      report({ ...input, status });
    },
  };
}

/** True when two activities say the same to a peer (the timestamp aside). */
function sameActivity(known: Activity, input: ActivityInput & { status: UserStatus }): boolean {
  return (
    known.action === input.action &&
    known.status === input.status &&
    (known.publisherId ?? null) === (input.publisherId ?? null) &&
    // Activity about a publisher takes the publisher's territory (the database's), whatever the input said.
    (input.publisherId !== undefined || (known.territory ?? null) === (input.territory ?? null))
  );
}
