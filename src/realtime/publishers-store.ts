import { orgTopic } from '../contract/index.ts';
import type { PostgresChange } from './channel-registry.ts';
import type { CoreContext } from './core-context.ts';
import { publisherFromRecord, publisherFromRow, type Publisher } from './publisher-record.ts';
import { RealtimeError } from './realtime-error.ts';
import { parseRows, PUBLISHER_COLUMNS, publisherRowSchema } from './rows.ts';
import { createCoalescedStore, type ReadableStore } from './store.ts';

export type PublishersStore = ReadableStore<readonly Publisher[]>;

/**
 * The publishers the user may read, kept current through Postgres changes on the organisation's
 * channel: Realtime checks each change against the subscriber's RLS, so a row of a territory the
 * user may not read never reaches this client. A row that leaves the user's territories produces
 * no change event for them (the new row fails RLS), so every (re)join re-reads the list, which
 * also drops such rows.
 */
export function createPublishersStore(ctx: CoreContext): PublishersStore {
  const byId = new Map<string, Publisher>();
  let built: readonly Publisher[] = Object.freeze([]);
  let dirty = false;
  const topic = orgTopic(ctx.organizationId);

  const store = createCoalescedStore<readonly Publisher[]>({
    requestFrame: ctx.env.requestFrame,
    build: () => {
      if (!dirty) return built;
      dirty = false;
      built = Object.freeze([...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1)));
      return built;
    },
    onActive: () => {
      const handle = ctx.acquire(topic, { onPostgresChange: apply, onSubscribed: () => void reload() });
      return () => handle.release();
    },
  });

  const apply = (change: PostgresChange): void => {
    if (change.table !== 'publishers') return;
    if (change.eventType === 'DELETE') {
      const id = change.old.id;
      if (typeof id === 'string' && byId.delete(id)) changed();
      return;
    }
    const publisher = publisherFromRecord(change.new);
    if (!publisher || publisher.organizationId !== ctx.organizationId) return;
    const current = byId.get(publisher.id);
    if (current && current.version >= publisher.version) return; // stale
    byId.set(publisher.id, publisher);
    changed();
  };

  const changed = (): void => {
    dirty = true;
    store.invalidate();
  };

  const reload = async (): Promise<void> => {
    await ctx.ready;
    const { data, error } = await ctx.supabase
      .from('publishers')
      .select(PUBLISHER_COLUMNS)
      .eq('organization_id', ctx.organizationId)
      .limit(5000);
    if (error) return ctx.reportError(RealtimeError.from({ kind: 'request', operation: 'publishers backfill' }, error));
    const { rows } = parseRows(publisherRowSchema, data);
    const seen = new Set<string>();
    for (const row of rows) {
      const publisher = publisherFromRow(row);
      seen.add(publisher.id);
      const current = byId.get(publisher.id);
      if (!current || current.version < publisher.version) byId.set(publisher.id, publisher);
    }
    for (const id of [...byId.keys()]) if (!seen.has(id)) byId.delete(id);
    changed();
  };

  return { subscribe: store.subscribe, getSnapshot: store.getSnapshot };
}
