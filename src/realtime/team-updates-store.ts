import { orgTopic, type TeamUpdateMessage } from '../contract/index.ts';
import { canSeeTerritory } from './access.ts';
import { ActivityWindow } from './activity-window.ts';
import type { WriteResult } from './agent-status-store.ts';
import type { CoreContext } from './core-context.ts';
import { createPersistedStream, readRows } from './persisted-stream.ts';
import { RealtimeError } from './realtime-error.ts';
import { TEAM_UPDATE_COLUMNS, teamUpdateRowSchema, timeOf, type TeamUpdateRow } from './rows.ts';
import { createValueStore, type ReadableStore } from './store.ts';

export type TeamUpdateType = TeamUpdateMessage['data']['updateType'];

export interface TeamUpdate {
  readonly id: string;
  readonly updateType: TeamUpdateType;
  readonly message: string;
  /** Who posted it or whose change it records; null for the service role or an integration. */
  readonly userId: string | null;
  /** null: org-wide. */
  readonly territory: string | null;
  /** The publisher the item is about (`details.publisherId`), if any. */
  readonly publisherId: string | null;
  /** What happened, for items the database writes (`details.action`: field_changed, agent_failed, …). */
  readonly action: string | null;
  readonly details: Readonly<Record<string, unknown>>;
  readonly timestamp: string;
  /** The current user is among `details.mentions`. */
  readonly mentionsMe: boolean;
}

export interface PostUpdateInput {
  readonly message: string;
  readonly updateType?: TeamUpdateType;
  readonly territory?: string | null;
  /** User ids to @mention (each gets a notification). */
  readonly mentions?: readonly string[];
  readonly details?: Readonly<Record<string, unknown>>;
}

/** "Load older": whether the table holds older items than the feed shows, and a load in flight. */
export interface OlderUpdatesState {
  readonly hasOlder: boolean;
  readonly loading: boolean;
  /** The last "Load older" failed (cleared by the next attempt). */
  readonly error: RealtimeError | null;
}

export interface TeamUpdatesStore extends ReadableStore<readonly TeamUpdate[]> {
  postUpdate(input: PostUpdateInput): Promise<WriteResult>;
  /** The paging state of the feed. */
  readonly older: ReadableStore<OlderUpdatesState>;
  /** Appends the page of items before the oldest shown (keyset, newest first); no-op when there is none. */
  loadOlder(): Promise<WriteResult>;
}

/** Items per page: the first read and each "Load older". */
export const ACTIVITY_PAGE_SIZE = 50;
/**
 * A catch-up reads at most this many items since the newest seen. A full answer means more arrived
 * than it brings (a long disconnect): the feed then restarts from these newest items, and "Load
 * older" reaches the rest, so the feed never shows a hole.
 */
const CATCH_UP_LIMIT = 200;

const INITIAL_OLDER: OlderUpdatesState = Object.freeze({ hasOlder: false, loading: false, error: null });

/**
 * The activity stream the user may read, newest first: org-wide items from the org topic, territory
 * items from the topics of the territories RLS lets the user read (never joined otherwise: a
 * territory the user may not read is refused at join, so its items cannot reach this client). The
 * first page and older pages come from `activity_page` (keyset), catch-ups from the table.
 */
export function createTeamUpdatesStore(ctx: CoreContext): TeamUpdatesStore {
  const feed = new ActivityWindow<TeamUpdate>();
  const older = createValueStore<OlderUpdatesState>(INITIAL_OLDER);
  let loadingOlder = false;
  /** The rights changed: the next catch-up reads the newest page and replaces the window with it. */
  let restart = false;

  const publishOlder = (error: RealtimeError | null = null): void =>
    older.set(Object.freeze({ hasOlder: feed.hasOlder(), loading: loadingOlder, error }));

  const readPage = (cursor: { createdAt: string; id: string } | null) =>
    readRows(
      ctx,
      'activity page',
      teamUpdateRowSchema,
      ctx.supabase.rpc('activity_page', {
        organization_id: ctx.organizationId,
        // Left out on the first page: the defaults (null) start from the newest.
        ...(cursor ? { before_created_at: cursor.createdAt, before_id: cursor.id } : {}),
        page_size: ACTIVITY_PAGE_SIZE,
      }),
    );

  const stream = createPersistedStream(ctx, {
    backfill: {
      table: 'team_updates',
      columns: TEAM_UPDATE_COLUMNS,
      schema: teamUpdateRowSchema,
      orderBy: 'created_at',
      ascending: false,
      limit: CATCH_UP_LIMIT,
      operation: 'team_updates backfill',
    },
    build: () => {
      const snapshot = feed.snapshot();
      // Building the snapshot is when the window lets its oldest items go past its cap, which
      // makes "Load older" available: told after this build, never from inside it.
      if (older.getSnapshot().hasOlder !== feed.hasOlder()) queueMicrotask(() => publishOlder());
      return snapshot;
    },
    listen: (topics) => {
      topics.join(orgTopic(ctx.organizationId));
      topics.joinTerritoryTopics();
    },
    listener: (topic) => ({
      onBroadcast: (event, payload) => {
        const message = ctx.accept(topic, event, payload);
        if (message?.type === 'team_update') add(fromMessage(message));
      },
    }),
    catchUp: async (read) => {
      // The first page (or a restart under new rights) comes from activity_page; later catch-ups
      // read the table from the stream's cursor, which only completed reads move.
      if (restart || !read.hasCursor) {
        const restarting = restart;
        restart = false;
        const rows = await readPage(null);
        if (!rows) {
          restart ||= restarting;
          return;
        }
        read.advance(rows);
        if (restarting) feed.clear();
        feed.setHasOlder(rows.length === ACTIVITY_PAGE_SIZE);
        addRows(rows);
        stream.changed();
        publishOlder();
        return;
      }
      const rows = await read.since();
      if (!rows) return;
      if (rows.length >= CATCH_UP_LIMIT) {
        feed.clear();
        feed.setHasOlder(true);
        stream.changed();
      }
      addRows(rows);
    },
    onAccessChange: (change) => {
      // What the new rights rule out goes at once (an item about a publisher without a territory
      // is for unrestricted members only, as the publisher is). What they add may be older than
      // anything held, so the window restarts from the newest page under the new rights (the
      // stream's catch-up follows), which keeps it without holes.
      if (change.kind === 'removed') {
        feed.clear();
        feed.setHasOlder(false);
      } else {
        const access = change.access;
        feed.removeWhere(
          (u) => (u.territory !== null || u.publisherId !== null) && !canSeeTerritory(access, u.territory),
        );
        restart = true;
      }
      publishOlder();
    },
  });

  /** The merge rule: each item once, by id (the window orders them). */
  const add = (update: TeamUpdate, createdAt?: string): void => {
    if (feed.add(update, createdAt)) stream.changed();
  };
  const addRows = (rows: readonly TeamUpdateRow[]): void => {
    for (const row of rows) add(fromRow(row), row.created_at);
  };

  const mentionsMe = (details: Readonly<Record<string, unknown>>): boolean => {
    const me = ctx.userId();
    return me !== null && Array.isArray(details.mentions) && details.mentions.includes(me);
  };

  const item = (
    fields: Pick<TeamUpdate, 'id' | 'updateType' | 'message' | 'userId' | 'territory' | 'details'>,
    at: string,
  ): TeamUpdate =>
    Object.freeze({
      ...fields,
      publisherId: typeof fields.details.publisherId === 'string' ? fields.details.publisherId : null,
      action: typeof fields.details.action === 'string' ? fields.details.action : null,
      timestamp: new Date(timeOf(at)).toISOString(),
      mentionsMe: mentionsMe(fields.details),
    });

  const fromMessage = (message: TeamUpdateMessage): TeamUpdate =>
    item(
      {
        id: message.id,
        updateType: message.data.updateType,
        message: message.data.message,
        userId: message.data.userId ?? null,
        territory: message.data.territory ?? null,
        details: message.data.details,
      },
      message.timestamp,
    );

  const fromRow = (row: TeamUpdateRow): TeamUpdate =>
    item(
      {
        id: row.id,
        updateType: row.update_type,
        message: row.message,
        userId: row.user_id,
        territory: row.territory,
        details: row.details,
      },
      row.created_at,
    );

  return {
    subscribe: stream.subscribe,
    getSnapshot: stream.getSnapshot,
    older,
    async loadOlder() {
      if (loadingOlder || !feed.hasOlder()) return { ok: true };
      loadingOlder = true;
      publishOlder();
      await ctx.ready;
      const rows = await readPage(feed.olderCursor());
      loadingOlder = false;
      if (!rows) {
        const error = new RealtimeError({ kind: 'request', operation: 'loadOlder' }, 'could not load older activity');
        publishOlder(error);
        return { ok: false, error };
      }
      feed.grow(rows.length);
      feed.setHasOlder(rows.length === ACTIVITY_PAGE_SIZE);
      addRows(rows);
      stream.changed(true);
      publishOlder();
      return { ok: true };
    },
    async postUpdate(input) {
      await ctx.ready;
      const details = { ...input.details, ...(input.mentions ? { mentions: [...input.mentions] } : {}) };
      const { error } = await ctx.supabase.from('team_updates').insert({
        organization_id: ctx.organizationId,
        user_id: ctx.userId(),
        update_type: input.updateType ?? 'publisher_update',
        message: input.message,
        territory: input.territory ?? null,
        details,
      });
      if (error) return { ok: false, error: RealtimeError.from({ kind: 'request', operation: 'postUpdate' }, error) };
      stream.catchUp.request();
      return { ok: true };
    },
  };
}
