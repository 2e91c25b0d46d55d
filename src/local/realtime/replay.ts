import { z } from 'zod';
import type { Database } from '../db/index.ts';
import type { Delivery } from './broker.ts';
import { jsonBytes } from './serializer.ts';

/** Realtime clamps a replay to 1..25 messages and defaults to 25 (§3.4). */
const MAX_REPLAY = 25;

const rowSchema = z.object({
  id: z.string(),
  event: z.string().nullable(),
  payload: z.unknown(),
  binary_payload: z.instanceof(Uint8Array).nullable(),
});

export type ReplayMessage = Extract<Delivery, { kind: 'user_broadcast' }>;

/**
 * The stored broadcasts a private join asked to replay (§3.4): newest first from the database,
 * handed out oldest first, each marked `{replayed: true, id}`.
 */
export async function loadReplay(db: Database, topic: string, since: number, limit: number | undefined): Promise<ReplayMessage[]> {
  const count = Math.min(MAX_REPLAY, Math.max(1, limit ?? MAX_REPLAY));
  // inserted_at is a timestamp without time zone written by now(): convert `since` the same way.
  const { rows } = await db.query(
    `select id::text as id, event, payload, binary_payload
       from realtime.messages
      where topic = $1 and private is true and extension = 'broadcast'
        and inserted_at >= to_timestamp($2::double precision / 1000)::timestamp
        and inserted_at < (now() + interval '1 minute')::timestamp
      order by inserted_at desc
      limit $3`,
    [topic, since, count],
  );
  const messages: ReplayMessage[] = [];
  for (const raw of rows.reverse()) {
    const row = rowSchema.safeParse(raw);
    if (!row.success || row.data.event === null) continue;
    const metadata = { replayed: true, id: row.data.id };
    if (row.data.binary_payload !== null) {
      messages.push({ kind: 'user_broadcast', event: row.data.event, metadata, encoding: 'binary', payload: new Uint8Array(row.data.binary_payload) });
    } else {
      messages.push({ kind: 'user_broadcast', event: row.data.event, metadata, encoding: 'json', payload: jsonBytes(row.data.payload ?? {}) });
    }
  }
  return messages;
}
