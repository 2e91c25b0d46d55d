import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publisherRecordTopic, territoryTopic } from '../../src/contract/index.ts';
import { ORGS, PUBLISHERS, TERRITORIES } from '../../supabase/fixture.ts';
import { startLocalStack, type LocalStack } from '../../local-stack/index.ts';
import { Inbox } from '../_support/inbox.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { subscribed, userClients, type UserClients } from '../_support/user-clients.ts';

type Received = { type: string; event: string; meta?: { id?: string }; payload: Record<string, unknown> };

/** Broadcast from the database through the real supabase-js client (protocol reference §7). */
describe.each(BACKENDS)('database broadcast via supabase-js on %s', (backend) => {
  let t: TestDatabase;
  let stack: LocalStack;
  let users: UserClients;

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    // One case shows that public and private rooms of one name stay apart: opt out of the private-only default.
    stack = await startLocalStack(
      { port: 0, realtime: { joinErrorDelayMs: 0, connectErrorDelayMs: 0, privateOnly: false } },
      { db: t.db },
    );
    users = userClients(stack);
  });
  afterAll(async () => {
    await users?.closeAll();
    await stack?.stop();
    await t?.dispose();
  });

  it.each(['2.0.0', '1.0.0'] as const)(
    'delivers realtime.send from SQL to a private subscriber with meta.id (vsn %s)',
    async (vsn) => {
      const client = await users.client('acmeOwner', vsn);
      const received = new Inbox<Received>();
      const topic = `org:${ORGS.acme.id}`;
      const channel = client
        .channel(topic, { config: { private: true } })
        .on('broadcast', { event: 'db_ping' }, (m) => received.push(m as Received));
      expect(await subscribed(channel)).toEqual({ status: 'SUBSCRIBED' });

      await t.db.query(`select realtime.send($1::jsonb, 'db_ping', $2)`, [JSON.stringify({ hello: vsn }), topic]);
      const message = await received.first((m) => m.payload.hello === vsn);
      const { rows } = await t.db.query<{ id: string }>(
        `select id::text from realtime.messages where topic = $1 and event = 'db_ping' and payload ->> 'hello' = $2`,
        [topic, vsn],
      );
      expect(message).toEqual({
        type: 'broadcast',
        event: 'db_ping',
        meta: { id: rows[0]!.id },
        payload: { hello: vsn, id: rows[0]!.id },
      });
      await client.removeChannel(channel);
    },
  );

  it('does not deliver a private send to a public channel of the same name (§2.1)', async () => {
    const client = await users.client('acmeOwner');
    const received = new Inbox<Received>();
    const channel = client
      .channel('room-namespaces')
      .on('broadcast', { event: '*' }, (m) => received.push(m as Received));
    expect(await subscribed(channel)).toEqual({ status: 'SUBSCRIBED' });
    await t.db.query(`select realtime.send('{"n":"private"}'::jsonb, 'ns', 'room-namespaces')`);
    await t.db.query(`select realtime.send('{"n":"public"}'::jsonb, 'ns', 'room-namespaces', false)`);
    await received.first((m) => m.payload.n === 'public');
    expect(received.items.map((m) => m.payload.n)).toEqual(['public']);
    await client.removeChannel(channel);
  });

  it('sends a publisher update to its record and territory topics, not to a member of another territory', async () => {
    const owner = await users.client('acmeOwner');
    const west = await users.client('acmeWest');
    const harbor = PUBLISHERS.harborHouse; // US_East
    const sunrise = PUBLISHERS.sunriseBooks; // US_West
    const onPublisher = new Inbox<Received>();
    const onEast = new Inbox<Received>();
    const onWest = new Inbox<Received>();
    const privately = { config: { private: true } };
    const channels = [
      owner
        .channel(publisherRecordTopic(ORGS.acme.id, harbor.id, harbor.territory), privately)
        .on('broadcast', { event: 'publisher_update' }, (m) => onPublisher.push(m as Received)),
      owner
        .channel(territoryTopic(ORGS.acme.id, TERRITORIES.usEast), privately)
        .on('broadcast', { event: 'publisher_update' }, (m) => onEast.push(m as Received)),
      west
        .channel(territoryTopic(ORGS.acme.id, TERRITORIES.usWest), privately)
        .on('broadcast', { event: 'publisher_update' }, (m) => onWest.push(m as Received)),
    ];
    for (const channel of channels) expect(await subscribed(channel)).toEqual({ status: 'SUBSCRIBED' });
    // The restricted member cannot even join the other territory's topic.
    const refused = await subscribed(west.channel(territoryTopic(ORGS.acme.id, TERRITORIES.usEast), privately));
    expect(refused.status).toBe('CHANNEL_ERROR');

    await t.db.query(`update public.publishers set status = 'signed' where id = $1`, [harbor.id]);
    const expected = {
      type: 'broadcast',
      event: 'publisher_update',
      meta: { id: expect.any(String) },
      payload: {
        id: `${harbor.id}:2:status`,
        type: 'publisher_update',
        version: 2,
        data: { publisherId: harbor.id, update: { field: 'status', newValue: 'signed' } },
      },
    };
    expect(await onPublisher.first((m) => m.payload.id === `${harbor.id}:2:status`)).toMatchObject(expected);
    expect(await onEast.first((m) => m.payload.id === `${harbor.id}:2:status`)).toMatchObject(expected);

    // A later change in the member's own territory arrives; the earlier one never did.
    await t.db.query(`update public.publishers set status = 'signed' where id = $1`, [sunrise.id]);
    await onWest.first((m) => m.payload.id === `${sunrise.id}:2:status`);
    expect(onWest.items.map((m) => m.payload.id)).toEqual([`${sunrise.id}:2:status`]);
    await owner.removeAllChannels();
    await west.removeAllChannels();
  });
});
