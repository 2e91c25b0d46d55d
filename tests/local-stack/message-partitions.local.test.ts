import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maintainMessagePartitions } from '../../local-stack/db/index.ts';
import { systemClock } from '../../local-stack/index.ts';
import { startLocalStack, type LocalStack } from '../../local-stack/stack.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { Inbox } from '../_support/inbox.ts';
import { subscribed } from '../_support/user-clients.ts';

const DAY_MS = 86_400_000;

/**
 * A stack that has been running for days: its startup partitions (yesterday..today+3 of the day it
 * started) no longer cover today, so a database broadcast only arrives if the stack maintains the
 * partitions on its timer. The clock is a manual one, moved across several day boundaries.
 */
describe.each(BACKENDS)('realtime.messages partitions across days on %s', (backend) => {
  let t: TestDatabase;
  let stack: LocalStack;
  const logs = new Inbox<string>();
  // The stack "started" five days ago, by its clock; the database's now() is the real today.
  let clock = Date.now() - 5 * DAY_MS;

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    const { rows } = await t.db.query<{ name: string }>(
      `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'realtime.messages'::regclass`,
    );
    for (const { name } of rows) await t.db.exec(`drop table realtime."${name}"`);
    await maintainMessagePartitions(t.db, new Date(clock));
    // A public room stands in for any channel here: opt out of the private-only default.
    stack = await startLocalStack(
      { port: 0, realtime: { joinErrorDelayMs: 0, connectErrorDelayMs: 0, privateOnly: false } },
      {
        db: t.db,
        clock: { ...systemClock, now: () => clock },
        partitionMaintenanceIntervalMs: 20,
        log: (line) => logs.push(line),
      },
    );
  });
  afterAll(async () => {
    await stack?.stop();
    await t?.dispose();
  });

  it('keeps delivering database broadcasts after the clock passes the partitions made at startup', async () => {
    const client = createClient(stack.url, stack.config.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
    });
    const received = new Inbox<{ payload: { n: number } }>();
    const channel = client
      .channel('uptime')
      .on('broadcast', { event: 'tick' }, (m) => received.push({ payload: m['payload'] as { n: number } }));
    expect(await subscribed(channel)).toEqual({ status: 'SUBSCRIBED' });

    // Today is past the startup partitions: the insert fails and realtime.send only warns.
    await t.db.query(`select realtime.send('{"n":1}'::jsonb, 'tick', 'uptime', false)`);
    const { rows: lost } = await t.db.query<{ n: number }>(
      `select count(*)::int as n from realtime.messages where event = 'tick'`,
    );
    expect(lost[0]!.n).toBe(0);

    clock += 5 * DAY_MS;
    const today = new Date(clock).toISOString().slice(0, 10).replaceAll('-', '_');
    const line = await logs.first((l) => l.includes(`messages_${today}`));
    expect(line).toMatch(/^realtime\.messages partitions: created .*; dropped messages_/);

    await t.db.query(`select realtime.send('{"n":2}'::jsonb, 'tick', 'uptime', false)`);
    expect((await received.first((m) => m.payload.n === 2)).payload).toEqual({ n: 2, id: expect.any(String) });
    expect(received.items.map((m) => m.payload.n)).toEqual([2]);
    await client.removeAllChannels();
    client.realtime.disconnect();
  });
});
