import { territoryTopic, type PublisherUpdateMessage } from '../contract/index.ts';
import { createCatchUp, sinceCursor } from './catch-up.ts';
import type { ChannelHandle } from './channel-registry.ts';
import type { CoreContext } from './core-context.ts';
import { publisherFromRow, withField, type Publisher } from './publisher-record.ts';
import { RealtimeError } from './realtime-error.ts';
import { reportTerritoriesFailure } from './territories.ts';
import { parseRows, PUBLISHER_COLUMNS, publisherRowSchema, timeOf } from './rows.ts';
import { createCoalescedStore, type ReadableStore } from './store.ts';

export type PublishersStore = ReadableStore<readonly Publisher[]>;

/** Publishers kept in memory: the list view of an organisation, not an export. */
const MAX_PUBLISHERS = 5000;

/**
 * The publishers the user may read, with their live status.
 *
 * RATIONALE: `publishers` is not in the `supabase_realtime` publication (a DELETE event would go
 * to every subscriber of every organisation with the row's id, unchecked by RLS), so live changes
 * come from the database's `publisher_update` broadcasts on the territory topics the user may
 * join — authorised at join by the same RLS, so a territory the user may not read never reaches
 * this client. New rows (inserts broadcast nothing) and rows without a territory arrive through the
 * catch-up read (`updated_at` since the last seen, catch-up.ts); every (re)join re-reads the whole
 * list, which also drops rows deleted or moved out of the user's territories meanwhile.
 */
export function createPublishersStore(ctx: CoreContext): PublishersStore {
  const byId = new Map<string, Publisher>();
  let built: readonly Publisher[] = Object.freeze([]);
  let dirty = false;
  let cursor: string | null = null;
  let needsFullRead = true;

  const store = createCoalescedStore<readonly Publisher[]>({
    requestFrame: ctx.env.requestFrame,
    now: ctx.env.now,
    build: () => {
      if (!dirty) return built;
      dirty = false;
      built = Object.freeze([...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1)));
      return built;
    },
    onActive: () => {
      const handles: ChannelHandle[] = [];
      let stopped = false;
      needsFullRead = true;
      catchUp.request();
      ctx.territories().then((territories) => {
        for (const territory of territories) {
          if (stopped) return;
          const topic = territoryTopic(ctx.organizationId, territory);
          handles.push(
            ctx.acquire(topic, {
              onBroadcast: (event, payload) => {
                const message = ctx.accept(topic, event, payload);
                if (message?.type === 'publisher_update') onUpdate(message);
              },
              onSubscribed: () => {
                needsFullRead = true;
                catchUp.request();
              },
            }),
          );
        }
      }, reportTerritoriesFailure(ctx));
      const unregister = ctx.registerCatchUp(catchUp);
      const stopPeriodic = catchUp.startPeriodic();
      return () => {
        stopped = true;
        stopPeriodic();
        unregister();
        for (const handle of handles.splice(0)) handle.release();
      };
    },
  });

  const changed = (): void => {
    dirty = true;
    store.invalidate();
  };

  const onUpdate = (message: PublisherUpdateMessage): void => {
    const { publisherId, update } = message.data;
    const current = byId.get(publisherId);
    const moved = update.field === 'territory' && !('newValue' in update);
    // Unknown, moved away, or a version we skipped: the row itself says what is true now.
    if (!current || moved || message.version > current.version + 1) return void catchUp.request();
    if (message.version < current.version) return; // stale
    const at = new Date(timeOf(message.timestamp)).toISOString();
    byId.set(publisherId, withField(current, update.field, update.newValue, message.version, update.updatedBy, at));
    if (update.field === 'territory') needsFullRead = true; // it may have left the user's territories
    changed();
  };

  const catchUp = createCatchUp(
    async () => {
      await ctx.ready;
      const full = needsFullRead || cursor === null;
      needsFullRead = false;
      let query = ctx.supabase.from('publishers').select(PUBLISHER_COLUMNS).eq('organization_id', ctx.organizationId);
      if (!full && cursor !== null) query = query.gte('updated_at', sinceCursor(cursor));
      const { data, error } = await query.order('updated_at', { ascending: false }).limit(MAX_PUBLISHERS);
      if (error) {
        needsFullRead ||= full;
        return ctx.reportError(RealtimeError.from({ kind: 'request', operation: 'publishers backfill' }, error));
      }
      const seen = new Set<string>();
      let any = false;
      for (const row of parseRows(publisherRowSchema, data).rows) {
        const publisher = publisherFromRow(row);
        seen.add(publisher.id);
        if (cursor === null || timeOf(publisher.updatedAt) > timeOf(cursor)) cursor = publisher.updatedAt;
        const current = byId.get(publisher.id);
        if (!current || current.version < publisher.version) {
          byId.set(publisher.id, publisher);
          any = true;
        }
      }
      if (full) for (const id of [...byId.keys()]) if (!seen.has(id)) any = byId.delete(id) || any;
      if (any) changed();
    },
    ctx.env,
    ctx.catchUpIntervalMs,
  );

  return { subscribe: store.subscribe, getSnapshot: store.getSnapshot };
}
