import { orgTopic, type TeamUpdateMessage } from '../contract/index.ts';
import { canSeeTerritory } from './access.ts';
import type { WriteResult } from './agent-status-store.ts';
import type { CoreContext } from './core-context.ts';
import { DEFAULT_FEED_CAP, NewestFirstFeed } from './newest-first-feed.ts';
import { createPersistedStream } from './persisted-stream.ts';
import { RealtimeError } from './realtime-error.ts';
import { TEAM_UPDATE_COLUMNS, teamUpdateRowSchema, timeOf, type TeamUpdateRow } from './rows.ts';
import type { ReadableStore } from './store.ts';

export type TeamUpdateType = TeamUpdateMessage['data']['updateType'];

export interface TeamUpdate {
  readonly id: string;
  readonly updateType: TeamUpdateType;
  readonly message: string;
  readonly userId: string | null;
  /** null: org-wide. */
  readonly territory: string | null;
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

export interface TeamUpdatesStore extends ReadableStore<readonly TeamUpdate[]> {
  postUpdate(input: PostUpdateInput): Promise<WriteResult>;
}

/**
 * Team updates the user may read, newest first: org-wide ones from the org topic, territory ones
 * from the topics of the territories RLS lets the user read (never joined otherwise: a territory
 * the user may not read is refused at join, so its updates cannot reach this client at all).
 */
export function createTeamUpdatesStore(ctx: CoreContext): TeamUpdatesStore {
  const feed = new NewestFirstFeed<TeamUpdate>();

  const stream = createPersistedStream(ctx, {
    backfill: {
      table: 'team_updates',
      columns: TEAM_UPDATE_COLUMNS,
      schema: teamUpdateRowSchema,
      orderBy: 'created_at',
      ascending: false,
      limit: DEFAULT_FEED_CAP,
      operation: 'team_updates backfill',
    },
    build: () => feed.snapshot(),
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
      for (const row of (await read.since()) ?? []) add(fromRow(row));
    },
    onAccessChange: (change) => {
      // The stream's cursor stays: what is dropped here is what RLS would no longer return anyway.
      if (change.kind === 'removed') feed.removeWhere(() => true);
      else feed.removeWhere((u) => u.territory !== null && !canSeeTerritory(change.access, u.territory));
    },
  });

  /** The merge rule: each update once, by id (the feed orders them). */
  const add = (update: TeamUpdate): void => {
    if (feed.upsert(update)) stream.changed();
  };

  const mentionsMe = (details: Readonly<Record<string, unknown>>): boolean => {
    const me = ctx.userId();
    return me !== null && Array.isArray(details.mentions) && details.mentions.includes(me);
  };

  const fromMessage = (message: TeamUpdateMessage): TeamUpdate =>
    Object.freeze({
      id: message.id,
      updateType: message.data.updateType,
      message: message.data.message,
      userId: message.data.userId ?? null,
      territory: message.data.territory ?? null,
      details: message.data.details,
      timestamp: new Date(timeOf(message.timestamp)).toISOString(),
      mentionsMe: mentionsMe(message.data.details),
    });

  const fromRow = (row: TeamUpdateRow): TeamUpdate =>
    Object.freeze({
      id: row.id,
      updateType: row.update_type,
      message: row.message,
      userId: row.user_id,
      territory: row.territory,
      details: row.details,
      timestamp: new Date(timeOf(row.created_at)).toISOString(),
      mentionsMe: mentionsMe(row.details),
    });

  return {
    subscribe: stream.subscribe,
    getSnapshot: stream.getSnapshot,
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
