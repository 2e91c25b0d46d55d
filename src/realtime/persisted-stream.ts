import type { SupabaseClient } from '@supabase/supabase-js';
import type { z } from 'zod';
import type { Database } from '../contract/index.ts';
import type { AccessChange } from './access.ts';
import { catchUpWhileActive, createCatchUp, sinceCursor, type CatchUp } from './catch-up.ts';
import type { ChannelListener } from './channel-registry.ts';
import type { CoreContext } from './core-context.ts';
import { readWithTimeout, type AbortableRequest } from './read-timeout.ts';
import { RealtimeError } from './realtime-error.ts';
import { parseRows, timeOf } from './rows.ts';
import { createCoalescedStore, type ReadableStore } from './store.ts';
import { createTopicSet, type TopicSet } from './topic-set.ts';

/*
 * RATIONALE: agent runs, team updates, notifications and the publisher list follow one pattern: a
 * table is the source of truth, broadcasts (or Postgres changes) bring its changes live, and a
 * catch-up re-reads the table since the last item read (catch-up.ts). This module is that pattern;
 * a store supplies only its ordering key (the column a catch-up resumes from) and its merge rule
 * (what a row or a message does to its working state).
 *
 * RATIONALE (cursor): the cursor moves only with what a completed read returned, never with a live
 * message. A stream listens on several channels (the org topic, the user's, each territory's), and
 * one of them can be down while the others deliver: had a sibling's live message moved the
 * cursor, the re-created channel's catch-up would start after the messages sent while it alone
 * was down, and they would never be read. A read sees every channel's rows at once, so the newest
 * row it returned is a point up to which nothing is missing, whichever channel was down.
 */

/** The columns of `Row` that hold a string (the timestamp columns a stream can be ordered by). */
type Relations = Database['public']['Tables'] & Database['public']['Views'];
/** The tables and views a stream may follow: the organisation's own (they carry `organization_id`). */
type OrganizationTable = {
  [T in keyof Relations]: Relations[T]['Row'] extends { organization_id: string | null } ? T : never;
}[keyof Relations];

type StringColumn<Row> = { [K in keyof Row]: Row[K] extends string ? K : never }[keyof Row] & string;

/** A stream's catch-up read: the organisation's rows of its table (under the user's RLS), by its ordering key. */
interface BackfillQuery<Row> {
  readonly table: OrganizationTable;
  readonly columns: string;
  readonly schema: z.ZodType<Row>;
  /** The ordering key, a timestamp column: a catch-up reads from a little before the cursor on. */
  readonly orderBy: StringColumn<Row>;
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
  /** One catch-up, run once the user is known: the store reads through `reader` and merges the rows. */
  readonly catchUp: (reader: BackfillReader<Row>) => Promise<void>;
  /**
   * The user's rights changed (access.ts): drop what they may no longer see (everything after a
   * removal). A catch-up follows every change; territory topics follow by themselves (topic-set.ts).
   */
  readonly onAccessChange?: (change: AccessChange) => void;
}

/** A stream's reads of its table. Each gives null when the read failed (already reported). */
export interface BackfillReader<Row> {
  /** The rows from a little before the cursor on; every row (up to the limit) before a read returned any. */
  since(): Promise<Row[] | null>;
  /** Every row (up to the limit): a full re-read. */
  all(): Promise<Row[] | null>;
  /** True once a read returned rows: `since()` then reads only what is new. */
  readonly hasCursor: boolean;
  /** Moves the cursor past rows the store read with a query of its own (a first load). */
  advance(rows: readonly Row[]): void;
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

  // The newest ordering key a completed read returned (see RATIONALE (cursor)); null: read everything.
  let cursor: string | null = null;

  const advance = (rows: readonly Row[]): void => {
    for (const row of rows) {
      const key = row[orderBy] as string;
      if (cursor === null || timeOf(key) > timeOf(cursor)) cursor = key;
    }
  };

  const read = async (from: string | null): Promise<Row[] | null> => {
    // The table is one of several, so its query has no single row type: rows are the schema's to check.
    const untyped: SupabaseClient = ctx.supabase;
    let query = untyped.from(table).select(columns).eq('organization_id', ctx.organizationId);
    if (from !== null) query = query.gte(orderBy, sinceCursor(from));
    const rows = await readRows(ctx, operation, schema, query.order(orderBy, { ascending }).limit(limit));
    if (rows) advance(rows);
    return rows;
  };

  const reader: BackfillReader<Row> = {
    since: () => read(cursor),
    all: () => read(null),
    get hasCursor() {
      return cursor !== null;
    },
    advance,
  };

  const catchUp = createCatchUp(
    async () => {
      await ctx.ready;
      await options.catchUp(reader);
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
 * Awaits a REST read (aborted after `ctx.readTimeoutMs`, read-timeout.ts) and validates its rows,
 * reporting problems the one way every store does: a failed or timed-out read is reported and
 * gives null; invalid rows are reported (the first one named) and left out, the valid ones returned.
 */
export async function readRows<Row>(
  ctx: Pick<CoreContext, 'reportError' | 'env' | 'readTimeoutMs'>,
  operation: string,
  schema: z.ZodType<Row>,
  request: AbortableRequest<{ readonly data: unknown; readonly error: unknown }>,
): Promise<Row[] | null> {
  const { result, timedOut } = await readWithTimeout(ctx.env, ctx.readTimeoutMs, request);
  const { data, error } = result;
  if (error) {
    ctx.reportError(
      timedOut
        ? new RealtimeError({ kind: 'request', operation }, `${operation}: no answer within ${ctx.readTimeoutMs} ms`, {
            cause: error,
          })
        : RealtimeError.from({ kind: 'request', operation }, error),
    );
    return null;
  }
  const { rows, invalid } = parseRows(schema, data);
  if (invalid) ctx.reportError(new RealtimeError({ kind: 'request', operation }, invalid));
  return rows;
}
