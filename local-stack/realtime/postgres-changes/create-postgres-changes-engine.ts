import type { Database } from '../../db/index.ts';
import { changeData, errorData } from './change-payload.ts';
import { capturePublishedTables, installChangeCapture } from './change-capture.ts';
import { consumeChanges } from './change-queue.ts';
import type { Change, DbEventsCounter, PostgresChangesEngine, Subscriber } from './engine-types.ts';
import { matchChange } from './match-change.ts';
import { createRegistrar } from './subscribe.ts';
import { tableInfo, tableKey, type TableInfo } from './table-catalog.ts';
import { checkVisibility, type Visibility } from './visibility.ts';

export type {
  DbEventsCounter,
  PostgresChangesEngine,
  PostgresChangesPayload,
  PostgresChangesReady,
  PostgresChangesRegistration,
  PostgresChangesReplyEntry,
} from './engine-types.ts';

export interface PostgresChangesEngineOptions {
  /** Unexpected failures (a query, a subscriber callback); the engine keeps running. */
  onError?: (error: unknown) => void;
  /** Counts deliveries and, while triggered, makes the engine drop changes (§8.3). None: no limit. */
  dbEvents?: DbEventsCounter;
  /** A batch of changes was dropped because `dbEvents` was triggered. */
  onSkipped?: (count: number) => void;
}

/**
 * The local Postgres Changes engine (§5): the capture queue (change-queue.ts) feeds each change
 * to the matching (match-change.ts: event, table, filters), then one RLS check per distinct
 * subscriber claims (visibility.ts, §5.5), and each channel gets the §5.3 payload
 * (change-payload.ts), in commit order. One engine per database: it consumes the shared queue.
 */
export async function createPostgresChangesEngine(
  db: Database,
  options: PostgresChangesEngineOptions = {},
): Promise<PostgresChangesEngine> {
  const onError = options.onError ?? ((error: unknown) => console.error('[realtime] postgres changes:', error));
  const { dbEvents } = options;
  const subscribers = new Set<Subscriber>();
  let closed = false;

  await installChangeCapture(db);
  await capturePublishedTables(db);

  async function handleBatch(changes: Change[]): Promise<void> {
    if (subscribers.size === 0) return;
    const distinct = [...new Map(changes.map((c) => [tableKey(c.schema_name, c.table_name), c])).values()];
    const tables = await tableInfo(
      db,
      distinct.map((c) => ({ schema: c.schema_name, table: c.table_name })),
    );
    for (const change of changes) {
      const table = tables.get(tableKey(change.schema_name, change.table_name));
      if (table) await handleChange(change, table);
    }
  }

  async function handleChange(change: Change, table: TableInfo): Promise<void> {
    const matches = await matchChange(db, change, table, subscribers, onError);
    if (matches.length === 0) return;
    // §5.5: one visibility check per distinct claims, only for INSERT/UPDATE on RLS tables.
    const visibility = new Map<string, Promise<Visibility>>();
    const visibleTo = (subscriber: Subscriber): Promise<Visibility> => {
      let result = visibility.get(subscriber.claimsKey);
      if (!result)
        visibility.set(subscriber.claimsKey, (result = checkVisibility(db, subscriber.claims, change, table)));
      return result;
    };
    const pk = table.columns.filter((c) => c.pk);
    for (const { subscriber, groups } of matches) {
      if (!subscribers.has(subscriber)) continue;
      let errors: string[] | null = null;
      if (change.type !== 'DELETE' && pk.length === 0) errors = ['Error 400: Bad Request, no primary key'];
      else if (change.type !== 'DELETE' && pk.some((c) => !c.selectable[subscriber.role]))
        errors = ['Error 401: Unauthorized'];
      else if (table.rls && change.type !== 'DELETE') {
        const visible = await visibleTo(subscriber);
        if (visible === 'hidden') continue;
        if (visible === 'error') errors = ['Error 500: Internal Server Error, RLS policy evaluation failed'];
      }
      for (const { select, ids } of groups.values()) {
        const data = errors ? errorData(change, errors) : changeData(change, table, subscriber.role, select);
        // The poller adds one per matching subscription (binding) that gets the change (§8.3).
        dbEvents?.add(ids.length);
        try {
          subscriber.deliver({ ids, data });
        } catch (error) {
          onError(error);
        }
      }
    }
  }

  const stopQueue = await consumeChanges(db, handleBatch, {
    onError,
    ...(dbEvents ? { dbEvents } : {}),
    ...(options.onSkipped ? { onSkipped: options.onSkipped } : {}),
  });
  const register = createRegistrar({ db, subscribers, onError, isClosed: () => closed });

  return {
    register,
    async close() {
      closed = true;
      subscribers.clear();
      await stopQueue();
    },
  };
}
