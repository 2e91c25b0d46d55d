import type { z } from 'zod';
import type { AccessChange } from './access.ts';
import { catchUpWhileActive, createCatchUp, sinceCursor, type CatchUp } from './catch-up.ts';
import type { ChannelListener } from './channel-registry.ts';
import type { CoreContext } from './core-context.ts';
import { RealtimeError } from './realtime-error.ts';
import { parseRows } from './rows.ts';
import { createCoalescedStore, type ReadableStore } from './store.ts';
import { createTopicSet, type TopicSet } from './topic-set.ts';

/*
 * RATIONALE: agent runs, team updates, notifications and the publisher list follow one pattern: a
 * table is the source of truth, broadcasts (or Postgres changes) bring its changes live, and a
 * catch-up re-reads the table since the last item seen (catch-up.ts). This module is that pattern;
 * a store supplies only its ordering key (the column and cursor a catch-up resumes from) and its
 * merge rule (what a row or a message does to its working state).
 */

/** A stream's catch-up read: the organisation's rows of its table (under the user's RLS), by its ordering key. */
interface BackfillQuery<Row> {
  readonly table: string;
  readonly columns: string;
  readonly schema: z.ZodType<Row>;
  /** The ordering key, a timestamp column: a catch-up reads from a little before the cursor on. */
  readonly orderBy: string;
  readonly ascending: boolean;
  readonly limit: number;
  /** What a failed read or an invalid row is reported as (the RealtimeError's `operation`). */
  readonly operation: string;
}

export interface PersistedStreamOptions<Row, Snapshot> {
  readonly backfill: BackfillQuery<Row>;
  /** The immutable snapshot of the store's working state; rebuilt only after `changed()`. */
  readonly build: () => Snapshot;
  /** Joins the stream's topics when its first subscriber arrives; all are released after the last one leaves. */
  readonly listen: (topics: TopicSet) => void;
  /** What one topic's channel brings to the store; by default each (re)join runs a catch-up. */
  readonly listener: (topic: string) => ChannelListener;
  /**
   * One catch-up, run once the user is known: `read(cursor)` gives the rows since `cursor` (all
   * of them for null), or null when the read failed (already reported); the store merges them.
   */
  readonly catchUp: (read: (cursor: string | null) => Promise<Row[] | null>) => Promise<void>;
  /**
   * The user's rights changed (access.ts): drop what they may no longer see (everything after a
   * removal). A catch-up follows every change; territory topics follow by themselves (topic-set.ts).
   */
  readonly onAccessChange?: (change: AccessChange) => void;
}

export interface PersistedStream<Snapshot> extends ReadableStore<Snapshot> {
  /** The working state changed: a new snapshot at the next frame, or at once with `now` (the user's own action). */
  changed(now?: boolean): void;
  /** Rebuilds and notifies now if anything changed. */
  flush(): void;
  readonly catchUp: CatchUp;
}

export function createPersistedStream<Row, Snapshot>(
  ctx: CoreContext,
  options: PersistedStreamOptions<Row, Snapshot>,
): PersistedStream<Snapshot> {
  const { table, columns, schema, orderBy, ascending, limit, operation } = options.backfill;

  const read = (cursor: string | null): Promise<Row[] | null> => {
    let query = ctx.supabase.from(table).select(columns).eq('organization_id', ctx.organizationId);
    if (cursor !== null) query = query.gte(orderBy, sinceCursor(cursor));
    return readRows(ctx, operation, schema, query.order(orderBy, { ascending }).limit(limit));
  };

  const catchUp = createCatchUp(
    async () => {
      await ctx.ready;
      await options.catchUp(read);
    },
    ctx.env,
    ctx.catchUpIntervalMs,
  );

  // For the core's lifetime, active or not: a removed member's stores must empty even when hidden.
  ctx.onAccessChange((change) => {
    options.onAccessChange?.(change);
    store.invalidate();
    if (change.kind === 'updated') catchUp.request();
  });

  const store = createCoalescedStore<Snapshot>({
    requestFrame: ctx.env.requestFrame,
    now: ctx.env.now,
    build: options.build,
    onActive: () => {
      const topics = createTopicSet(ctx, (topic) => ({
        onSubscribed: () => catchUp.request(),
        ...options.listener(topic),
      }));
      options.listen(topics);
      const stopCatchUp = catchUpWhileActive(ctx, catchUp);
      return () => {
        stopCatchUp();
        topics.release();
      };
    },
  });

  return {
    subscribe: store.subscribe,
    getSnapshot: store.getSnapshot,
    changed(now = false) {
      store.invalidate();
      if (now) store.flush();
    },
    flush: store.flush,
    catchUp,
  };
}

/**
 * Awaits a REST read and validates its rows, reporting problems the one way every store does: a
 * failed read is reported and gives null; invalid rows are reported (the first one named) and
 * left out, the valid ones returned.
 */
export async function readRows<Row>(
  ctx: Pick<CoreContext, 'reportError'>,
  operation: string,
  schema: z.ZodType<Row>,
  request: PromiseLike<{ readonly data: unknown; readonly error: unknown }>,
): Promise<Row[] | null> {
  const { data, error } = await request;
  if (error) {
    ctx.reportError(RealtimeError.from({ kind: 'request', operation }, error));
    return null;
  }
  const { rows, invalid } = parseRows(schema, data);
  if (invalid) ctx.reportError(new RealtimeError({ kind: 'request', operation }, invalid));
  return rows;
}
