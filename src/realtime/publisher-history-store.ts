import { z } from 'zod';
import type { WriteResult } from './agent-status-store.ts';
import type { CoreContext } from './core-context.ts';
import { readRows } from './persisted-stream.ts';
import type { PublisherRecordStore } from './publisher-record-store.ts';
import { RealtimeError } from './realtime-error.ts';
import { timeOf } from './rows.ts';
import { createCoalescedStore, type ReadableStore } from './store.ts';

/** One changed field of one version of a publisher (a public.publisher_changes row). */
export interface PublisherChange {
  readonly id: number;
  readonly version: number;
  readonly field: string;
  /** null for version 1 (the record's creation): there was no old value. */
  readonly oldValue: unknown;
  readonly newValue: unknown;
  readonly changedBy: string | null;
  readonly changedAt: string;
}

export interface PublisherHistorySnapshot {
  /** Newest first. */
  readonly changes: readonly PublisherChange[];
  readonly hasOlder: boolean;
  readonly loading: boolean;
}

export interface PublisherHistoryStore extends ReadableStore<PublisherHistorySnapshot> {
  /** Appends the page before the oldest change shown. */
  loadOlder(): Promise<WriteResult>;
}

/** Changes per page. */
const HISTORY_PAGE_SIZE = 20;
/** A burst of saves between two reads: more than this re-reads the newest page instead. */
const NEWER_LIMIT = 200;

const COLUMNS = 'id,version,field,old_value,new_value,changed_by,changed_at';
const changeRowSchema = z.object({
  id: z.coerce.number(),
  version: z.number(),
  field: z.string(),
  old_value: z.unknown(),
  new_value: z.unknown(),
  changed_by: z.string().nullable(),
  changed_at: z.string(),
});
type ChangeRow = z.infer<typeof changeRowSchema>;

/**
 * A publisher's change history (who, when, old → new), newest first, paged by the history row id
 * (its insertion order, which is version order). While shown it follows the record: when the
 * record store reaches a version newer than the newest change held, the changes after it are read.
 * RLS decides: the history of a record the user may not read is empty.
 */
export function createPublisherHistoryStore(
  ctx: CoreContext,
  publisherId: string,
  record: PublisherRecordStore,
): PublisherHistoryStore {
  const changes = new Map<number, PublisherChange>();
  let hasOlder = false;
  let loading = false;
  let loaded = false;
  let snapshot: PublisherHistorySnapshot = Object.freeze({ changes: Object.freeze([]), hasOlder, loading });
  let reading: Promise<void> | undefined;

  const query = () =>
    ctx.supabase
      .from('publisher_changes')
      .select(COLUMNS)
      .eq('publisher_id', publisherId)
      .order('id', { ascending: false });

  const keep = (rows: readonly ChangeRow[]): void => {
    for (const row of rows) {
      changes.set(
        row.id,
        Object.freeze({
          id: row.id,
          version: row.version,
          field: row.field,
          oldValue: row.old_value ?? null,
          newValue: row.new_value,
          changedBy: row.changed_by,
          changedAt: new Date(timeOf(row.changed_at)).toISOString(),
        }),
      );
    }
  };

  const publish = (): void => {
    const list = [...changes.values()].sort((a, b) => b.id - a.id);
    snapshot = Object.freeze({ changes: Object.freeze(list), hasOlder, loading });
    store.invalidate();
  };

  const newestId = (): number | null => (changes.size === 0 ? null : Math.max(...changes.keys()));
  const newestVersion = (): number => Math.max(0, ...[...changes.values()].map((c) => c.version));

  /** The first page, or everything after the newest change held. */
  const readNewer = async (): Promise<void> => {
    await ctx.ready;
    const after = newestId();
    const rows = await readRows(
      ctx,
      'publisher history read',
      changeRowSchema,
      after === null ? query().limit(HISTORY_PAGE_SIZE) : query().gt('id', after).limit(NEWER_LIMIT),
    );
    if (!rows) return;
    if (after === null) hasOlder = rows.length === HISTORY_PAGE_SIZE;
    else if (rows.length === NEWER_LIMIT) {
      // More saves than one read brings: start again from the newest page rather than leave a hole.
      changes.clear();
      hasOlder = true;
    }
    keep(rows);
    loaded = true;
    publish();
  };

  const requestNewer = (): void => {
    reading ??= readNewer().finally(() => {
      reading = undefined;
      const publisher = record.getSnapshot().publisher;
      if (publisher && publisher.version > newestVersion()) requestNewer();
    });
  };

  const store = createCoalescedStore<PublisherHistorySnapshot>({
    requestFrame: ctx.env.requestFrame,
    now: ctx.env.now,
    build: () => snapshot,
    onActive: () => {
      requestNewer();
      return record.subscribe(() => {
        const publisher = record.getSnapshot().publisher;
        if (loaded && publisher && publisher.version > newestVersion()) requestNewer();
      });
    },
  });

  return {
    subscribe: store.subscribe,
    getSnapshot: store.getSnapshot,
    async loadOlder() {
      if (loading || !hasOlder || changes.size === 0) return { ok: true };
      loading = true;
      publish();
      const rows = await readRows(
        ctx,
        'publisher history read',
        changeRowSchema,
        query()
          .lt('id', Math.min(...changes.keys()))
          .limit(HISTORY_PAGE_SIZE),
      );
      loading = false;
      if (!rows) {
        publish();
        return {
          ok: false,
          error: new RealtimeError({ kind: 'request', operation: 'loadOlder' }, 'could not load older changes'),
        };
      }
      hasOlder = rows.length === HISTORY_PAGE_SIZE;
      keep(rows);
      publish();
      return { ok: true };
    },
  };
}
