import type { Queryable } from './database.ts';

const DAY_MS = 86_400_000;

function partitionDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * Supabase keeps one `realtime.messages` partition per day, from yesterday through today+3, and
 * drops partitions older than 72 h (protocol reference §6.1, §3.4). The local stack does the same
 * at startup and then once an hour.
 */
export async function maintainMessagePartitions(db: Queryable, now: Date = new Date()): Promise<void> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let offset = -1; offset <= 3; offset++) {
    const from = partitionDay(new Date(today + offset * DAY_MS));
    const to = partitionDay(new Date(today + (offset + 1) * DAY_MS));
    const name = `messages_${from.replaceAll('-', '_')}`;
    await db.exec(
      `create table if not exists realtime.${name} partition of realtime.messages for values from ('${from}') to ('${to}')`,
    );
  }
  const cutoff = partitionDay(new Date(today - 3 * DAY_MS)).replaceAll('-', '_');
  const { rows } = await db.query<{ name: string }>(
    `select c.relname as name from pg_inherits i
       join pg_class c on c.oid = i.inhrelid
       join pg_class p on p.oid = i.inhparent
       join pg_namespace n on n.oid = p.relnamespace
      where n.nspname = 'realtime' and p.relname = 'messages' and c.relname < $1`,
    [`messages_${cutoff}`],
  );
  for (const { name } of rows) await db.exec(`drop table if exists realtime."${name}"`);
}
