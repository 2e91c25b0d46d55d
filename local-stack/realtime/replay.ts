import { z } from 'zod';
import type { Database } from '../db/index.ts';
import type { Delivery } from './broker.ts';
import { jsonBytes, type Outbound } from './serializer.ts';

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
export async function loadReplay(
  db: Database,
  topic: string,
  since: number,
  limit: number | undefined,
): Promise<ReplayMessage[]> {
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
      messages.push({
        kind: 'user_broadcast',
        event: row.data.event,
        metadata,
        encoding: 'binary',
        payload: new Uint8Array(row.data.binary_payload),
      });
    } else {
      messages.push({
        kind: 'user_broadcast',
        event: row.data.event,
        metadata,
        encoding: 'json',
        payload: jsonBytes(row.data.payload ?? {}),
      });
    }
  }
  return messages;
}

/**
 * How a joined channel pushes its replay right after the join reply (§3.4): JSON rows as a channel
 * push with the join_ref, binary rows as kind 4.
 */
export function replayFrames(topic: string, joinRef: string | null, messages: readonly ReplayMessage[]): Outbound[] {
  return messages.map((message): Outbound => {
    if (message.encoding !== 'json') return { ...message, kind: 'user_broadcast', topic };
    const payload = JSON.parse(Buffer.from(message.payload).toString('utf8')) as unknown;
    return {
      kind: 'message',
      joinRef,
      ref: null,
      topic,
      event: 'broadcast',
      payload: { type: 'broadcast', event: message.event, payload, meta: message.metadata },
    };
  });
}

/** The id Realtime de-duplicates replays by: a UserBroadcast's `metadata.id`, a JSON broadcast's `meta.id` (§3.4). */
export function messageId(delivery: Exclude<Delivery, { kind: 'presence_diff' }>): string | undefined {
  const meta = delivery.kind === 'user_broadcast' ? delivery.metadata : delivery.payload.meta;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const id = (meta as Record<string, unknown>).id;
  return typeof id === 'string' ? id : undefined;
}
