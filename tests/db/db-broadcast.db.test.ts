import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORGS, PUBLISHERS } from '../../supabase/fixture.ts';
import { startDbBroadcastListener, type DbBroadcast } from '../../local-stack/realtime/db-broadcast.ts';
import { Inbox } from '../_support/inbox.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { asCaller } from './_as-user.ts';

/** Broadcast from the database (protocol reference §7) against PGlite and PostgreSQL. */
describe.each(BACKENDS)('database broadcast listener on %s', (backend) => {
  let t: TestDatabase;
  let received: Inbox<DbBroadcast>;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    received = new Inbox<DbBroadcast>();
    stop = await startDbBroadcastListener(t.db, (m) => received.push(m));
  });
  afterAll(async () => {
    await stop?.();
    await t?.dispose();
  });

  /** A public message on `topic` that marks "everything committed before it has been relayed". */
  async function sentinel(topic: string): Promise<void> {
    await t.db.query(`select realtime.send('{}'::jsonb, 'sentinel', $1, false)`, [topic]);
    await received.first((m) => m.topic === topic && m.event === 'sentinel');
  }

  it('relays realtime.send with the row id, the injected payload id and the private flag', async () => {
    await t.db.query(`select realtime.send('{"hello":"world"}'::jsonb, 'greet', 'room-send')`);
    const message = await received.first((m) => m.topic === 'room-send');
    const { rows } = await t.db.query<{ id: string }>(
      `select id::text from realtime.messages where topic = 'room-send'`,
    );
    expect(message).toEqual({
      id: rows[0]!.id,
      topic: 'room-send',
      event: 'greet',
      private: true,
      payload: { hello: 'world', id: rows[0]!.id },
      insertedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/),
    });
  });

  it('relays public sends, binary sends and direct inserts', async () => {
    await t.db.query(`select realtime.send('{"n":1}'::jsonb, 'pub', 'room-mixed', false)`);
    await t.db.query(`select realtime.send_binary('\\x010203'::bytea, 'bin', 'room-mixed')`);
    await t.db.query(
      `insert into realtime.messages (topic, extension, event, payload, private) values ('room-mixed', 'broadcast', 'direct', '{"d":true}', false)`,
    );
    const [pub, bin, direct] = await waitForTopic('room-mixed', 3);
    expect(pub).toMatchObject({ event: 'pub', private: false, payload: { n: 1 } });
    expect(bin).toMatchObject({ event: 'bin', private: true });
    expect(bin!.binaryPayload).toEqual(new Uint8Array([1, 2, 3]));
    expect(bin).not.toHaveProperty('payload');
    expect(direct).toMatchObject({ event: 'direct', private: false, payload: { d: true } });
  });

  it('relays realtime.broadcast_changes from a trigger (§7.1)', async () => {
    await t.db.exec(`
      create table public.dbb_todos (id int primary key, title text);
      create function public.dbb_todos_broadcast() returns trigger language plpgsql as $$
      begin
        perform realtime.broadcast_changes('todos:' || coalesce(new.id, old.id)::text, tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
        return null;
      end $$;
      create trigger dbb_todos_broadcast after insert or update or delete on public.dbb_todos
        for each row execute function public.dbb_todos_broadcast();`);
    await t.db.query(`insert into public.dbb_todos values (1, 'x')`);
    await t.db.query(`update public.dbb_todos set title = 'y' where id = 1`);
    await t.db.query(`delete from public.dbb_todos where id = 1`);
    const [insert, update, del] = await waitForTopic('todos:1', 3);
    expect(insert).toMatchObject({
      event: 'INSERT',
      private: true,
      payload: {
        operation: 'INSERT',
        schema: 'public',
        table: 'dbb_todos',
        record: { id: 1, title: 'x' },
        old_record: null,
        id: insert!.id,
      },
    });
    expect(update!.payload).toMatchObject({ operation: 'UPDATE', record: { title: 'y' }, old_record: { title: 'x' } });
    expect(del!.payload).toMatchObject({ operation: 'DELETE', record: null, old_record: { id: 1 } });
  });

  it('keeps commit order within and across transactions', async () => {
    await t.db.transaction(async (tx) => {
      for (let i = 0; i < 5; i++)
        await tx.query(`select realtime.send($1::jsonb, 'n', 'room-order', false)`, [JSON.stringify({ i })]);
    });
    for (let i = 5; i < 10; i++)
      await t.db.query(`select realtime.send($1::jsonb, 'n', 'room-order', false)`, [JSON.stringify({ i })]);
    const all = await waitForTopic('room-order', 10);
    expect(all.map((m) => (m.payload as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('skips rolled-back inserts, authorization probes and non-broadcast rows', async () => {
    await t.db.transaction(async (tx) => tx.query(`select realtime.send('{}'::jsonb, 'nope', 'room-skip')`), {
      rollback: true,
    });
    await asCaller(t.db, 'acmeOwner', (tx) =>
      tx
        .query(`insert into realtime.messages (topic, extension, private) values ('room-skip', 'broadcast', true)`)
        .catch(() => undefined),
    );
    await t.db.query(
      `insert into realtime.messages (topic, extension, event, payload) values ('room-skip', 'presence', 'x', '{}')`,
    );
    // §7.2: a row without an event or a payload is not a broadcast the server can relay.
    await t.db.query(`insert into realtime.messages (topic, extension) values ('room-skip', 'broadcast')`);
    await sentinel('room-skip-done');
    expect(received.items.filter((m) => m.topic === 'room-skip')).toEqual([]);
  });

  it('relays the project triggers: a publisher update reaches its record and territory topics', async () => {
    await t.db.query(`update public.publishers set status = 'qualified' where id = $1`, [PUBLISHERS.sunriseBooks.id]);
    const publisherTopic = `org:${ORGS.acme.id}:territory:${PUBLISHERS.sunriseBooks.territory}:publisher:${PUBLISHERS.sunriseBooks.id}`;
    const territoryTopic = `org:${ORGS.acme.id}:territory:${PUBLISHERS.sunriseBooks.territory}`;
    // The territory topic also hears the change's activity item (a team_update).
    const onPublisher = await received.first((m) => m.topic === publisherTopic);
    const onTerritory = await received.first((m) => m.topic === territoryTopic && m.event === 'publisher_update');
    for (const m of [onPublisher, onTerritory]) {
      expect(m).toMatchObject({ event: 'publisher_update', private: true, payload: { type: 'publisher_update' } });
    }
    expect(onPublisher.id).not.toBe(onTerritory.id);
  });

  it('stops relaying after stop()', async () => {
    const other = new Inbox<DbBroadcast>();
    const stopOther = await startDbBroadcastListener(t.db, (m) => other.push(m));
    await stopOther();
    await sentinel('room-after-stop');
    expect(other.items.filter((m) => m.topic === 'room-after-stop')).toEqual([]);
  });

  function waitForTopic(topic: string, count: number): Promise<DbBroadcast[]> {
    return received
      .first(() => received.items.filter((m) => m.topic === topic).length >= count, `${count} messages on ${topic}`)
      .then(() => received.items.filter((m) => m.topic === topic));
  }
});
