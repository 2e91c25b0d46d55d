import { activityTopic, orgTopic, type UserSnapshotMessage } from '../contract/index.ts';
import type { ChannelHandle, PresenceState } from './channel-registry.ts';
import type { CoreContext } from './core-context.ts';
import type { TimerHandle } from './environment.ts';
import { createLatestValueLimiter } from './rate-limiter.ts';
import { createCoalescedStore, type ReadableStore } from './store.ts';

export type UserStatus = UserSnapshotMessage['data']['activity']['status'];

/** One person of the organisation who is online, all their tabs merged. */
export interface UserSnapshot {
  readonly userId: string;
  readonly status: UserStatus;
  readonly action: string;
  readonly territory?: string;
  readonly publisherId?: string;
  readonly timestamp: string;
  /** Open tabs/devices (presence metas under the user's key). */
  readonly connections: number;
}

export interface ActivityInput {
  readonly action: string;
  readonly timestamp?: string;
  readonly territory?: string;
  readonly publisherId?: string;
  readonly status?: UserStatus;
}

export interface UserSnapshotsStore extends ReadableStore<readonly UserSnapshot[]> {
  /** May be called at any rate: peers get the latest within ~1 s, within Realtime's limits. */
  updateActivity(activity: ActivityInput): void;
}

/** A user whose last tab left stays listed this long, so a reload or a network blip does not flicker. */
export const LEAVE_HOLD_MS = 2000;
/** Activity broadcasts per user: at most one per 500 ms (peers see the latest within ~1 s). */
const BROADCAST_INTERVAL_MS = 500;

interface Activity {
  readonly action: string;
  readonly territory?: string;
  readonly publisherId?: string;
  readonly status: UserStatus;
  readonly timestamp: string;
}

export function createUserSnapshotsStore(ctx: CoreContext): UserSnapshotsStore {
  const present = new Map<string, { metas: number; status: UserStatus; activity: Activity | undefined }>();
  const latest = new Map<string, Activity>();
  const held = new Map<string, { snapshot: UserSnapshot; timer: TimerHandle }>();
  let own: Activity | undefined;
  let presenceHandle: ChannelHandle | undefined;
  let activityHandle: ChannelHandle | undefined;
  const changed = (): void => store.invalidate();

  /** Presence carries the activity too, at any rate: the channel registry rations the tracks. */
  const track = (activity: Activity): void => {
    const userId = ctx.userId();
    if (userId) presenceHandle?.track(presenceOf(userId, activity));
  };
  const presenceCarries = (activity: Activity): boolean => {
    const userId = ctx.userId();
    const tracked = presenceHandle?.tracked();
    return userId !== null && JSON.stringify(tracked) === JSON.stringify(presenceOf(userId, activity));
  };
  const broadcaster = createLatestValueLimiter<Activity>(ctx.env, 1, BROADCAST_INTERVAL_MS, (activity) => {
    const userId = ctx.userId();
    if (!userId) return;
    const message: UserSnapshotMessage = {
      id: crypto.randomUUID(),
      type: 'user_snapshot',
      timestamp: activity.timestamp,
      data: { userId, activity: withoutTimestamp(activity) },
    };
    activityHandle?.send('user_snapshot', message);
  });

  const snapshotOf = (userId: string): UserSnapshot | undefined => {
    const entry = present.get(userId);
    if (!entry) return undefined;
    const activity = newest(entry.activity, latest.get(userId));
    return Object.freeze({
      userId,
      status: entry.status,
      action: activity?.action ?? '',
      ...(activity?.territory ? { territory: activity.territory } : {}),
      ...(activity?.publisherId ? { publisherId: activity.publisherId } : {}),
      timestamp: activity?.timestamp ?? new Date(ctx.env.now()).toISOString(),
      connections: entry.metas,
    });
  };

  const onPresence = (state: PresenceState): void => {
    const before = new Set(present.keys());
    present.clear();
    for (const [userId, metas] of Object.entries(state)) {
      let activity: Activity | undefined;
      let status: UserStatus = 'offline';
      for (const meta of metas) {
        const candidate = readActivity(meta);
        activity = newest(activity, candidate);
        status = mergeStatus(status, candidate?.status ?? 'online');
      }
      present.set(userId, { metas: metas.length, status, activity });
      const hold = held.get(userId);
      if (hold) ctx.env.timers.clearTimeout(hold.timer);
      held.delete(userId);
    }
    // RATIONALE: presence tracks are rationed (PRESENCE_TRACKS_PER_WINDOW), so the activity a
    // newcomer reads from presence can be behind. When someone new appears and ours is, we
    // broadcast it once more: the newcomer has been listening on the activity topic before it
    // tracked presence.
    const me = ctx.userId();
    const newcomer = [...present.keys()].some((id) => id !== me && !before.has(id));
    if (newcomer && own && !presenceCarries(own)) broadcaster.offer(own);
    for (const userId of before) {
      if (present.has(userId)) continue;
      const last = store.getSnapshot().find((s) => s.userId === userId);
      if (!last) continue;
      const timer = ctx.env.timers.setTimeout(() => {
        held.delete(userId);
        changed();
      }, LEAVE_HOLD_MS);
      held.set(userId, { snapshot: last, timer });
    }
    changed();
  };

  const store = createCoalescedStore<readonly UserSnapshot[]>({
    requestFrame: ctx.env.requestFrame,
    now: ctx.env.now,
    build: () => {
      const list: UserSnapshot[] = [];
      for (const userId of present.keys()) list.push(snapshotOf(userId)!);
      for (const { snapshot } of held.values()) list.push(snapshot);
      list.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
      return Object.freeze(list);
    },
    onActive: () => {
      let stopped = false;
      void ctx.ready.then((userId) => {
        if (stopped || userId === null) return;
        const org = orgTopic(ctx.organizationId);
        const activity = activityTopic(ctx.organizationId);
        presenceHandle = ctx.acquire(org, { onPresenceSync: onPresence });
        let announced = false;
        activityHandle = ctx.acquire(activity, {
          // Peers learn of us from presence; by then we must hear their activity broadcasts.
          onSubscribed: () => {
            if (announced) return;
            announced = true;
            track(own ?? { action: 'online', status: 'online', timestamp: new Date(ctx.env.now()).toISOString() });
          },
          onBroadcast: (event, payload) => {
            const message = ctx.accept(activity, event, payload);
            if (message?.type !== 'user_snapshot') return;
            const { action, status, territory, publisherId } = message.data.activity;
            const incoming: Activity = {
              action,
              status,
              timestamp: message.timestamp,
              ...(territory ? { territory } : {}),
              ...(publisherId ? { publisherId } : {}),
            };
            if (newest(latest.get(message.data.userId), incoming) !== incoming) return; // stale
            latest.set(message.data.userId, incoming);
            changed();
          },
        });
      });
      return () => {
        stopped = true;
        broadcaster.cancel();
        presenceHandle?.release();
        activityHandle?.release();
        presenceHandle = activityHandle = undefined;
      };
    },
  });

  return {
    subscribe: store.subscribe,
    getSnapshot: store.getSnapshot,
    updateActivity(input) {
      const activity: Activity = {
        action: input.action,
        status: input.status ?? 'online',
        timestamp: input.timestamp ?? new Date(ctx.env.now()).toISOString(),
        ...(input.territory ? { territory: input.territory } : {}),
        ...(input.publisherId ? { publisherId: input.publisherId } : {}),
      };
      own = activity;
      const userId = ctx.userId();
      if (userId) {
        latest.set(userId, activity);
        changed();
      }
      broadcaster.offer(activity);
      track(activity);
    },
  };
}

function presenceOf(userId: string, activity: Activity): Record<string, unknown> {
  return { userId, ...activity };
}

function withoutTimestamp(activity: Activity): UserSnapshotMessage['data']['activity'] {
  const { timestamp: _ignored, ...rest } = activity;
  return rest;
}

function readActivity(meta: Readonly<Record<string, unknown>>): Activity | undefined {
  if (typeof meta.action !== 'string' || typeof meta.timestamp !== 'string') return undefined;
  const status = meta.status === 'away' || meta.status === 'offline' ? meta.status : 'online';
  return {
    action: meta.action,
    status,
    timestamp: meta.timestamp,
    ...(typeof meta.territory === 'string' ? { territory: meta.territory } : {}),
    ...(typeof meta.publisherId === 'string' ? { publisherId: meta.publisherId } : {}),
  };
}

function newest(a: Activity | undefined, b: Activity | undefined): Activity | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b.timestamp) >= Date.parse(a.timestamp) ? b : a;
}

/** Several tabs: online wins over away, away over offline. */
function mergeStatus(a: UserStatus, b: UserStatus): UserStatus {
  if (a === 'online' || b === 'online') return 'online';
  if (a === 'away' || b === 'away') return 'away';
  return 'offline';
}
