import type { Database } from '../../db/index.ts';
import { CHANGES_CHANNEL } from './change-capture.ts';
import { changeRowSchema, type Change, type DbEventsCounter } from './engine-types.ts';

/** §5.5 / §8.1 `poll_max_changes`: changes handled per round, as Realtime's poller batches them. */
const MAX_BATCH = 100;

export interface ChangeQueueOptions {
  onError: (error: unknown) => void;
  /** While triggered, polled batches are consumed and dropped (§8.3). */
  dbEvents?: DbEventsCounter;
  onSkipped?: (count: number) => void;
}

/**
 * The capture queue (`pubdev_local.changes`), consumed in commit order: each notified id is taken
 * (deleted) in batches and handed to `handle`, one batch at a time. Resolves with stop(), which
 * waits for the batch in hand.
 */
export async function consumeChanges(
  db: Database,
  handle: (changes: Change[]) => Promise<void>,
  options: ChangeQueueOptions,
): Promise<() => Promise<void>> {
  const { onError, dbEvents, onSkipped } = options;
  let pending: number[] = [];
  let draining: Promise<void> | undefined;
  let closed = false;

  const take = async (ids: number[]): Promise<Change[]> => {
    const { rows } = await db.query<Record<string, unknown>>(
      `delete from pubdev_local.changes where id = any($1::bigint[])
       returning id, schema_name, table_name, type, record, old_record,
                 to_char(commit_timestamp at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as commit_timestamp`,
      [ids],
    );
    const byId = new Map<number, Change>();
    for (const raw of rows) {
      const parsed = changeRowSchema.safeParse(raw);
      if (parsed.success) byId.set(parsed.data.id, parsed.data);
      else onError(new Error(`Skipping malformed change row: ${parsed.error.message}`));
    }
    // Notifications arrive in commit order; identity values are assigned at insert time.
    return ids.map((id) => byId.get(id)).filter((c): c is Change => c !== undefined);
  };

  const drain = async (): Promise<void> => {
    while (pending.length > 0 && !closed) {
      const batch = pending.slice(0, MAX_BATCH);
      pending = pending.slice(batch.length);
      try {
        const changes = await take(batch);
        // RATIONALE (§8.3, [RT] replication_poller.ex `handle_list_changes_result`): while the
        // tenant's DB-events counter is triggered, Realtime's poller still consumes each polled batch
        // from the slot but delivers none of it — the changes are lost, and no subscriber is told.
        // Surprising, but it is what clients of a real project see, so the stand-in does the same
        // (the rows above are already deleted from the queue). The check is once per batch, as the
        // server checks once per poll.
        if (dbEvents?.triggered()) {
          if (changes.length > 0) onSkipped?.(changes.length);
          continue;
        }
        await handle(changes);
      } catch (error) {
        onError(error);
      }
    }
  };

  const unlisten = await db.listen(CHANGES_CHANNEL, (payload) => {
    const id = Number(payload);
    if (closed || !Number.isSafeInteger(id)) return;
    pending.push(id);
    draining ??= drain().finally(() => {
      draining = undefined;
    });
  });

  // Changes captured while the LISTEN connection was down were never notified: take them now, in
  // commit order, behind anything already pending.
  const stopWatching = db.onConnectionChange((change) => {
    if (change !== 'restored' || closed) return;
    db.query<{ id: number }>('select id from pubdev_local.changes order by id').then((result) => {
      const known = new Set(pending);
      for (const { id } of result.rows) if (!known.has(id)) pending.push(id);
      draining ??= drain().finally(() => {
        draining = undefined;
      });
    }, onError);
  });

  return async () => {
    closed = true;
    stopWatching();
    await unlisten();
    await draining;
  };
}
