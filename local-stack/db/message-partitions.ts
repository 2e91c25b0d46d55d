import type { Queryable } from './database.ts';

const DAY_MS = 86_400_000;

function partitionDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export interface PartitionChanges {
  /** Partitions (table names) this run created. */
  created: string[];
  /** Partitions older than 72 h this run dropped. */
  dropped: string[];
}

/**
 * Supabase keeps one `realtime.messages` partition per day, from yesterday through today+3, and
 * drops partitions older than 72 h (protocol reference §6.1, §3.4). The local stack does the same
 * at startup and then on a timer (see partition-maintenance.ts).
 */
export async function maintainMessagePartitions(db: Queryable, now: Date = new Date()): Promise<PartitionChanges> {
  const existing = async () =>
    (
      await db.query<{ name: string }>(
        `select c.relname as name from pg_inherits i
           join pg_class c on c.oid = i.inhrelid
           join pg_class p on p.oid = i.inhparent
           join pg_namespace n on n.oid = p.relnamespace
          where n.nspname = 'realtime' and p.relname = 'messages'`,
      )
    ).rows.map((r) => r.name);
  const before = new Set(await existing());
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const created: string[] = [];
  for (let offset = -1; offset <= 3; offset++) {
    const from = partitionDay(new Date(today + offset * DAY_MS));
    const to = partitionDay(new Date(today + (offset + 1) * DAY_MS));
    const name = `messages_${from.replaceAll('-', '_')}`;
    if (before.has(name)) continue;
    // Realtime gives each partition the parent's owner, supabase_realtime_admin (tenants.ex).
    await db.exec(
      `create table if not exists realtime.${name} partition of realtime.messages for values from ('${from}') to ('${to}');
       alter table realtime.${name} owner to supabase_realtime_admin;`,
    );
    created.push(name);
  }
  const cutoff = `messages_${partitionDay(new Date(today - 3 * DAY_MS)).replaceAll('-', '_')}`;
  const dropped = [...before].filter((name) => name < cutoff).sort();
  for (const name of dropped) await db.exec(`drop table if exists realtime."${name}"`);
  return { created, dropped };
}
