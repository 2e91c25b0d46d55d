import { orgTopic, type NotificationMessage } from '../contract/index.ts';
import type { WriteResult } from './agent-status-store.ts';
import type { CoreContext } from './core-context.ts';
import { DEFAULT_FEED_CAP, NewestFirstFeed } from './newest-first-feed.ts';
import { createPersistedStream } from './persisted-stream.ts';
import { RealtimeError } from './realtime-error.ts';
import { NOTIFICATION_COLUMNS, notificationRowSchema, timeOf, type NotificationRow } from './rows.ts';
import { createEmitter, type ReadableStore } from './store.ts';

export type NotificationLevel = NotificationMessage['data']['level'];

export interface Notification {
  readonly id: string;
  readonly message: string;
  readonly level: NotificationLevel;
  readonly actionUrl: string | null;
  readonly persistent: boolean;
  /** null: org-wide. */
  readonly userId: string | null;
  readonly timestamp: string;
  readonly read: boolean;
}

export interface NotificationsSnapshot {
  readonly notifications: readonly Notification[];
  readonly unreadCount: number;
}

export interface NotificationsStore extends ReadableStore<NotificationsSnapshot> {
  /** Fires once per notification that arrives after the first load (toasts), never for history. */
  onNotification(listener: (notification: Notification) => void): () => void;
  markRead(id: string): Promise<WriteResult>;
  markAllRead(): Promise<WriteResult>;
}

/**
 * Personal notifications (user topic) and org-wide ones (org topic), with the user's read state:
 * personal ones carry `read_at`, org-wide ones a per-user mark (`my_notifications` joins both).
 */
export function createNotificationsStore(ctx: CoreContext): NotificationsStore {
  const feed = new NewestFirstFeed<Notification>();
  const arrivals = createEmitter<Notification>();
  let loaded = false;
  // A full re-read whose read state is the truth, after a mark-all (see `mark`).
  let reconcileReads = false;

  const stream = createPersistedStream(ctx, {
    backfill: {
      table: 'my_notifications',
      columns: NOTIFICATION_COLUMNS,
      schema: notificationRowSchema,
      orderBy: 'created_at',
      ascending: false,
      limit: DEFAULT_FEED_CAP,
      operation: 'notifications backfill',
    },
    build: () => {
      const notifications = feed.snapshot();
      return Object.freeze({ notifications, unreadCount: notifications.filter((n) => !n.read).length });
    },
    listen: (topics) => {
      topics.join(orgTopic(ctx.organizationId));
      topics.joinOwnUserTopic();
    },
    listener: (topic) => ({
      onBroadcast: (event, payload) => {
        const message = ctx.accept(topic, event, payload);
        if (message?.type !== 'notification') return;
        // RATIONALE: user:<id> carries the user's personal notifications of every organisation,
        // and the message names none. A personal one is therefore read back from the table
        // (filtered by organisation) instead of shown as it arrived.
        if (message.data.userId) stream.catchUp.request();
        else add(fromMessage(message));
      },
    }),
    catchUp: async (read) => {
      const reconcile = reconcileReads;
      reconcileReads = false;
      const rows = await (reconcile ? read.all() : read.since());
      if (!rows) {
        reconcileReads ||= reconcile;
        return;
      }
      for (const row of rows.reverse()) add(fromRow(row));
      loaded = true;
    },
    onAccessChange: (change) => {
      if (change.kind === 'removed') feed.removeWhere(() => true);
    },
  });

  /** The merge rule: each notification once, by id; its read state only moves forward. */
  const add = (notification: Notification): void => {
    if (feed.upsert(notification)) {
      stream.changed();
      if (loaded) arrivals.emit(notification);
      return;
    }
    // Read state only moves forward: a copy read before a mark (a backfill in flight, a late
    // broadcast) can make an unread item read, never a read one unread again.
    if (notification.read && feed.has(notification.id)) markLocally([notification.id], false);
  };

  const markLocally = (ids: readonly string[] | null, now: boolean): void => {
    let any = false;
    for (const n of feed.snapshot()) {
      if (n.read || (ids !== null && !ids.includes(n.id))) continue;
      feed.update(n.id, (item) => Object.freeze({ ...item, read: true }));
      any = true;
    }
    if (any) stream.changed(now);
  };

  /*
   * RATIONALE (read state): a mark is the user's own action, so the snapshot shows it at once
   * (a flush, not the next frame: `getSnapshot()` after `await markAllRead()` is already read).
   * The database decides what "all" meant: rows the store did not hold yet (a backfill in flight,
   * a broadcast on its way) were marked by the rpc too, or not if they came after it. So a
   * successful mark-all resolves only after a full re-read that starts after the rpc and after
   * any read in flight has landed (`settle`), merged monotonically by `add`.
   */
  const mark = async (ids: readonly string[] | null): Promise<WriteResult> => {
    markLocally(ids, true);
    const { error } = await ctx.supabase.rpc('mark_notifications_read', {
      ...(ids === null ? {} : { ids: [...ids] }), // left out: the default, null, marks every notification
      organization_id: ctx.organizationId,
    });
    if (error) return { ok: false, error: RealtimeError.from({ kind: 'request', operation: 'markRead' }, error) };
    if (ids === null) {
      reconcileReads = true;
      await stream.catchUp.settle();
      stream.flush();
    }
    return { ok: true };
  };

  return {
    subscribe: stream.subscribe,
    getSnapshot: stream.getSnapshot,
    onNotification: arrivals.on,
    markRead: (id) => mark([id]),
    markAllRead: () => mark(null),
  };
}

function fromMessage(message: NotificationMessage): Notification {
  return Object.freeze({
    id: message.id,
    message: message.data.message,
    level: message.data.level,
    actionUrl: message.data.actionUrl ?? null,
    persistent: message.data.persistent ?? false,
    userId: message.data.userId ?? null,
    timestamp: new Date(timeOf(message.timestamp)).toISOString(),
    read: false,
  });
}

function fromRow(row: NotificationRow): Notification {
  return Object.freeze({
    id: row.id,
    message: row.message,
    level: row.level,
    actionUrl: row.action_url,
    persistent: row.persistent,
    userId: row.user_id,
    timestamp: new Date(timeOf(row.created_at)).toISOString(),
    read: row.read_at !== null,
  });
}
