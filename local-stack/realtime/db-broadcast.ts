import { z } from 'zod';
import type { Database } from '../db/index.ts';

/** One row inserted into `realtime.messages`, as the Realtime server relays it (§7.2). */
export interface DbBroadcast {
  /** The row id; clients see it as `meta.id` (§7.3). */
  id: string;
  /** The bare channel name (no `realtime:`). */
  topic: string;
  event: string;
  /** Picks the namespace: private rows reach only private subscribers, public only public (§2.1). */
  private: boolean;
  payload?: unknown;
  binaryPayload?: Uint8Array;
  /** `inserted_at` as stored (timestamp without time zone), ISO-8601 without a zone. */
  insertedAt: string;
}

export interface DbBroadcastListenerOptions {
  /** A fetch of notified rows failed; the listener keeps running. */
  onError?: (error: unknown) => void;
}

/** The NOTIFY channel the shim's trigger on realtime.messages signals (db/sql/06-realtime-notify.sql). */
const CHANNEL = 'pubdev_realtime_messages';

const notificationSchema = z.object({ id: z.guid(), inserted_at: z.string().min(1) });

// §7.2: the server requires topic, event, id, private, inserted_at and a payload; other rows are skipped.
const rowSchema = z
  .object({
    id: z.guid(),
    topic: z.string(),
    event: z.string(),
    private: z.boolean(),
    extension: z.string(),
    payload: z.unknown(),
    binary_payload: z.instanceof(Uint8Array).nullable(),
    inserted_at: z.string(),
  })
  .refine((row) => row.payload !== null || row.binary_payload !== null, 'payload or binary_payload is required');

type Row = z.infer<typeof rowSchema>;

interface Pending {
  id: string;
  insertedAt: string;
}

/**
 * Relays every committed insert into `realtime.messages` — from `realtime.send`,
 * `realtime.broadcast_changes` or a direct insert — to `onMessage`, in commit order. Supabase
 * streams these over logical replication (§7.2); locally the shim's trigger NOTIFYs at commit,
 * so rolled-back authorization probes (§6.2, §6.3) are never seen. Only `extension = 'broadcast'`
 * rows are relayed, and there is no per-message RLS: the topic's subscribers were admitted at join.
 *
 * @returns stop(): unlistens and waits for the rows already notified to be delivered.
 */
export async function startDbBroadcastListener(
  db: Database,
  onMessage: (message: DbBroadcast) => void,
  options: DbBroadcastListenerOptions = {},
): Promise<() => Promise<void>> {
  const onError =
    options.onError ?? ((error: unknown) => console.error('[realtime] database broadcast failed:', error));
  let queue: Pending[] = [];
  let draining: Promise<void> | undefined;
  let stopped = false;

  const drain = async (): Promise<void> => {
    // Notifications that arrive while a fetch runs are fetched together next round, still in order.
    while (queue.length > 0 && !stopped) {
      const batch = queue;
      queue = [];
      try {
        for (const message of await fetchMessages(db, batch)) {
          try {
            onMessage(message);
          } catch (error) {
            onError(error);
          }
        }
      } catch (error) {
        onError(error);
      }
    }
  };

  const unlisten = await db.listen(CHANNEL, (raw) => {
    if (stopped) return;
    let parsed: z.infer<typeof notificationSchema>;
    try {
      parsed = notificationSchema.parse(JSON.parse(raw));
    } catch (error) {
      onError(new Error(`Ignoring malformed ${CHANNEL} notification: ${raw}`, { cause: error }));
      return;
    }
    queue.push({ id: parsed.id, insertedAt: parsed.inserted_at });
    draining ??= drain().finally(() => {
      draining = undefined;
    });
  });

  return async () => {
    await unlisten();
    await draining;
    stopped = true;
  };
}

async function fetchMessages(db: Database, batch: readonly Pending[]): Promise<DbBroadcast[]> {
  // inserted_at is part of the key and lets PostgreSQL prune to one daily partition (§6.1).
  const { rows } = await db.query<Record<string, unknown>>(
    `select id::text as id, topic, event, private, extension, payload, binary_payload,
            to_char(inserted_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') as inserted_at
       from realtime.messages
      where id = any($1::uuid[]) and inserted_at = any($2::timestamp[])`,
    [batch.map((p) => p.id), batch.map((p) => p.insertedAt)],
  );
  const byId = new Map<string, Row>();
  for (const raw of rows) {
    const parsed = rowSchema.safeParse(raw);
    if (parsed.success) byId.set(parsed.data.id, parsed.data);
  }
  const messages: DbBroadcast[] = [];
  for (const { id } of batch) {
    const row = byId.get(id);
    if (!row || row.extension !== 'broadcast') continue;
    byId.delete(id);
    messages.push(toBroadcast(row));
  }
  return messages;
}

function toBroadcast(row: Row): DbBroadcast {
  const message: DbBroadcast = {
    id: row.id,
    topic: row.topic,
    event: row.event,
    private: row.private,
    insertedAt: row.inserted_at,
  };
  if (row.binary_payload !== null) {
    // node-postgres hands out Buffers; consumers get a plain view either way.
    message.binaryPayload = new Uint8Array(
      row.binary_payload.buffer,
      row.binary_payload.byteOffset,
      row.binary_payload.byteLength,
    );
  } else {
    message.payload = row.payload;
  }
  return message;
}
