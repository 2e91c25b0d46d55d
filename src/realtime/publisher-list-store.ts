import { orgTopic } from '../contract/index.ts';
import { canSeeTerritory } from './access.ts';
import type { PostgresChange } from './channel-registry.ts';
import type { CoreContext } from './core-context.ts';
import { createPersistedStream } from './persisted-stream.ts';
import { publisherFromRecord, publisherFromRow, type Publisher } from './publisher.ts';
import { RealtimeError } from './realtime-error.ts';
import { PUBLISHER_COLUMNS, publisherRowSchema } from './rows.ts';
import { createValueStore, type ReadableStore } from './store.ts';

export interface PublisherListStore extends ReadableStore<readonly Publisher[]> {
  /**
   * True once the first full read has landed: from then on the list is the truth, also when it is
   * empty (the user lost access to every publisher), and a page stops showing what it rendered first.
   */
  readonly loaded: ReadableStore<boolean>;
}

/** Publishers kept in memory: the list view of an organisation, not an export. */
const MAX_PUBLISHERS = 5000;

/**
 * The publishers the user may read, with their live status (the list `usePublishers` shows).
 *
 * RATIONALE: live changes come as Postgres changes of `publishers` on the organisation's private
 * channel (filter `organization_id=eq.<org>`), where Realtime checks every INSERT and UPDATE
 * against each subscriber's RLS: a row of a territory the user may not read never reaches this
 * client, and an insert (which broadcasts nothing) arrives as well as an update. The rows are the
 * whole record, so one event replaces the entry when its version is newer; no territory topics
 * are joined for this list (their `publisher_update` broadcasts would add nothing but joins).
 * The publication publishes no DELETE (a DELETE event skips RLS and would name the row to every
 * subscriber), and a row moved out of the user's territories sends this user no event, so every
 * (re)join and every "Subscribed to PostgreSQL" re-reads the whole list, which drops both; the
 * periodic catch-up (`updated_at` since the last read, catch-up.ts) covers events dropped while
 * the tenant's events/s counter is tripped.
 */
export function createPublisherListStore(ctx: CoreContext): PublisherListStore {
  const byId = new Map<string, Publisher>();
  let needsFullRead = true;
  const loaded = createValueStore(false);

  const fullRead = (): void => {
    needsFullRead = true;
    stream.catchUp.request();
  };

  const stream = createPersistedStream(ctx, {
    backfill: {
      table: 'publishers',
      columns: PUBLISHER_COLUMNS,
      schema: publisherRowSchema,
      orderBy: 'updated_at',
      ascending: false,
      limit: MAX_PUBLISHERS,
      operation: 'publishers backfill',
    },
    build: () =>
      Object.freeze([...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1))),
    listen: (topics) => {
      fullRead();
      topics.join(orgTopic(ctx.organizationId));
    },
    listener: (topic) => ({
      onPostgresChange: (change) => onChange(topic, change),
      onSubscribed: fullRead,
      onPostgresChangesReady: fullRead,
    }),
    catchUp: async (read) => {
      const full = needsFullRead || !read.hasCursor;
      needsFullRead = false;
      // A row an event added or replaced while the read was out is newer than the read: kept.
      const heldAtStart = full ? new Map(byId) : undefined;
      const rows = await (full ? read.all() : read.since());
      if (!rows) {
        needsFullRead ||= full;
        return;
      }
      const seen = new Set<string>();
      let any = false;
      for (const row of rows) {
        const publisher = publisherFromRow(row);
        seen.add(publisher.id);
        any = keep(publisher) || any;
      }
      for (const [id, held] of heldAtStart ?? [])
        if (!seen.has(id) && byId.get(id) === held) any = byId.delete(id) || any;
      if (any) stream.changed();
      if (full) {
        // The list's snapshot first, then `loaded`: a reader never sees "loaded" with the old list.
        stream.flush();
        loaded.set(true);
      }
    },
    onAccessChange: (change) => {
      // At once what the new rights rule out, then a full re-read for the rest (RLS decides).
      for (const [id, publisher] of byId)
        if (change.kind === 'removed' || !canSeeTerritory(change.access, publisher.territory)) byId.delete(id);
      needsFullRead = true;
    },
  });

  /** The merge rule: the newer version of a row wins; true when `publisher` replaced what was there. */
  const keep = (publisher: Publisher): boolean => {
    const current = byId.get(publisher.id);
    if (current && current.version >= publisher.version) return false;
    if (!current && byId.size >= MAX_PUBLISHERS) return false;
    byId.set(publisher.id, publisher);
    return true;
  };

  const onChange = (topic: string, change: PostgresChange): void => {
    if (change.table !== 'publishers' || change.eventType === 'DELETE') return;
    const publisher = publisherFromRecord(change.new);
    if (!publisher || publisher.organizationId !== ctx.organizationId) {
      const event = `postgres_changes ${change.eventType}`;
      return ctx.reportError(
        new RealtimeError(
          { kind: 'invalid_message', topic, event },
          `${topic}: ${event}: not a publisher row of this organisation`,
        ),
      );
    }
    if (keep(publisher)) stream.changed();
  };

  return { subscribe: stream.subscribe, getSnapshot: stream.getSnapshot, loaded };
}
