import { orgTopic, territoryTopic, type TeamUpdateMessage } from '../contract/index.ts';
import { catchUpWhileActive, createCatchUp, sinceCursor } from './catch-up.ts';
import type { ChannelHandle } from './channel-registry.ts';
import type { CoreContext } from './core-context.ts';
import { Feed } from './feed.ts';
import { RealtimeError } from './realtime-error.ts';
import { reportTerritoriesFailure } from './territories.ts';
import { parseRows, TEAM_UPDATE_COLUMNS, teamUpdateRowSchema, timeOf, type TeamUpdateRow } from './rows.ts';
import { createCoalescedStore, type ReadableStore } from './store.ts';
import type { WriteResult } from './agent-status-store.ts';

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
  const feed = new Feed<TeamUpdate>();
  const store = createCoalescedStore<readonly TeamUpdate[]>({
    requestFrame: ctx.env.requestFrame,
    now: ctx.env.now,
    build: () => feed.snapshot(),
    onActive: () => {
      const handles: ChannelHandle[] = [];
      let stopped = false;
      const listen = (topic: string) =>
        handles.push(
          ctx.acquire(topic, {
            onBroadcast: (event, payload) => {
              const message = ctx.accept(topic, event, payload);
              if (message?.type === 'team_update') add(fromMessage(message));
            },
            onSubscribed: () => catchUp.request(),
          }),
        );
      listen(orgTopic(ctx.organizationId));
      ctx.territories().then((territories) => {
        if (!stopped) for (const territory of territories) listen(territoryTopic(ctx.organizationId, territory));
      }, reportTerritoriesFailure(ctx));
      const stopCatchUp = catchUpWhileActive(ctx, catchUp);
      return () => {
        stopped = true;
        stopCatchUp();
        for (const handle of handles.splice(0)) handle.release();
      };
    },
  });

  const add = (update: TeamUpdate): void => {
    if (feed.upsert(update)) store.invalidate();
  };

  const catchUp = createCatchUp(
    async () => {
      await ctx.ready;
      const cursor = feed.cursor();
      let query = ctx.supabase
        .from('team_updates')
        .select(TEAM_UPDATE_COLUMNS)
        .eq('organization_id', ctx.organizationId);
      if (cursor !== null) query = query.gte('created_at', sinceCursor(cursor));
      const { data, error } = await query.order('created_at', { ascending: false }).limit(500);
      if (error)
        return ctx.reportError(RealtimeError.from({ kind: 'request', operation: 'team_updates backfill' }, error));
      const { rows, invalid } = parseRows(teamUpdateRowSchema, data);
      if (invalid) ctx.reportError(new RealtimeError({ kind: 'request', operation: 'team_updates backfill' }, invalid));
      for (const row of rows) add(fromRow(row));
    },
    ctx.env,
    ctx.catchUpIntervalMs,
  );

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
    subscribe: store.subscribe,
    getSnapshot: store.getSnapshot,
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
      catchUp.request();
      return { ok: true };
    },
  };
}
