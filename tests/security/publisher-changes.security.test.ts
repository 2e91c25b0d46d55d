/**
 * The publishers table offers Postgres Changes
 * for INSERT and UPDATE only. RLS decides per subscriber which of those reach whom; a DELETE event
 * (which Realtime sends to every subscriber with the old primary key and no RLS check) is never
 * produced, because the supabase_realtime publication does not publish deletes. Each case
 * subscribes the way a client does (private org channel, supabase-js), attacks as far as a
 * member can (no filter, or another organisation's filter), and ends its "nothing arrived" wait on
 * a later change each subscriber may see: changes reach a channel in commit order.
 */
import type { RealtimeChannel, RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { orgTopic } from '../../src/contract/index.ts';
import { ORGS, PUBLISHERS, TERRITORIES } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { Inbox, joined, startRealtimeStack, systemMessages, type RealtimeStack } from '../_support/realtime.ts';

type Change = RealtimePostgresChangesPayload<{ id?: string; organization_id?: string }>;
const ACME = ORGS.acme.id;
const GLOBEX = ORGS.globex.id;

/** "INSERT <id>" / "UPDATE <id>" / "DELETE <id>": what a subscriber learnt, in arrival order. */
const summary = (c: Change): string => `${c.eventType} ${(c.eventType === 'DELETE' ? c.old : c.new).id}`;

describe.each(BACKENDS)('Postgres changes of publishers across territories and organisations (%s)', (backend) => {
  let rt: RealtimeStack;
  beforeAll(async () => {
    rt = await startRealtimeStack(backend);
  });
  afterEach(() => rt.closeClients());
  afterAll(() => rt?.stop());

  /** A private org channel with `postgres_changes` bindings on publishers, live once this resolves. */
  async function watch(
    client: SupabaseClient,
    org: string,
    bindings: Array<{ event: '*' | 'DELETE'; filter?: string }>,
  ) {
    const changes = new Inbox<Change>();
    let channel: RealtimeChannel = client.channel(orgTopic(org), { config: { private: true } });
    for (const b of bindings) {
      channel = channel.on('postgres_changes', { schema: 'public', table: 'publishers', ...b }, (c: Change) =>
        changes.push(c),
      );
    }
    const system = systemMessages(channel);
    await joined(channel);
    const status = await system.next((m) => m.extension === 'postgres_changes', 'the postgres_changes status');
    expect(status).toMatchObject({ status: 'ok', message: 'Subscribed to PostgreSQL' });
    return changes;
  }

  const db = () => rt.database.db;
  async function insertPublisher(org: string, territory: string): Promise<string> {
    const id = randomUUID();
    await db().query(`insert into public.publishers (id, organization_id, name, territory) values ($1, $2, $3, $4)`, [
      id,
      org,
      `Publisher ${id}`,
      territory,
    ]);
    return id;
  }
  async function rename(id: string): Promise<string> {
    await db().query('update public.publishers set name = $2 where id = $1', [id, `Renamed ${randomUUID()}`]);
    return `UPDATE ${id}`;
  }

  it('the US_West member gets US_West inserts and updates only; a Globex member nothing of Acme', async () => {
    const west = await watch(await rt.userClient('acmeWest'), ACME, [
      { event: '*', filter: `organization_id=eq.${ACME}` },
    ]);
    const owner = await watch(await rt.userClient('acmeOwner'), ACME, [{ event: '*' }]);
    // Globex listens unfiltered on its own channel, and with Acme's filter: RLS alone decides.
    const globex = await watch(await rt.userClient('globexMember'), GLOBEX, [
      { event: '*' },
      { event: '*', filter: `organization_id=eq.${ACME}` },
    ]);

    const eastNew = await insertPublisher(ACME, TERRITORIES.usEast);
    const eastUpdate = await rename(PUBLISHERS.harborHouse.id);
    const globexNew = await insertPublisher(GLOBEX, TERRITORIES.euNorth);
    const globexUpdate = await rename(PUBLISHERS.globexTomes.id);
    const westNew = await insertPublisher(ACME, TERRITORIES.usWest);
    const acmeLast = await rename(PUBLISHERS.sunriseBooks.id);
    // Another row than globexUpdate's: the wait below must not match that earlier update.
    const globexLast = await rename(globexNew);

    await west.next((c) => summary(c) === acmeLast, 'the US_West update');
    await owner.next((c) => summary(c) === acmeLast, 'the owner’s last Acme update');
    await globex.next((c) => summary(c) === globexLast, 'Globex’s last update');
    expect(west.items.map(summary)).toEqual([`INSERT ${westNew}`, acmeLast]);
    // The owner saw the US_East changes: they were sent, and RLS kept them from the US_West member.
    expect(owner.items.map(summary)).toEqual([`INSERT ${eastNew}`, eastUpdate, `INSERT ${westNew}`, acmeLast]);
    expect(globex.items.map(summary)).toEqual([`INSERT ${globexNew}`, globexUpdate, globexLast]);
    expect(globex.items.map((c) => (c.new as { organization_id?: string }).organization_id)).toEqual([
      GLOBEX,
      GLOBEX,
      GLOBEX,
    ]);
    expect(west.items.find((c) => c.eventType === 'UPDATE')).toMatchObject({
      new: { id: PUBLISHERS.sunriseBooks.id, territory: TERRITORIES.usWest },
    });
  });

  it('a record moved out of US_West: the owner hears the move, the US_West member hears nothing of it', async () => {
    const owner = await watch(await rt.userClient('acmeOwner'), ACME, [{ event: '*' }]);
    const leaving = await insertPublisher(ACME, TERRITORIES.usWest);
    // Once the owner has the INSERT, it is behind us: the member subscribing now starts after it.
    await owner.next((c) => summary(c) === `INSERT ${leaving}`, 'the INSERT');
    const west = await watch(await rt.userClient('acmeWest'), ACME, [
      { event: '*', filter: `organization_id=eq.${ACME}` },
    ]);

    await db().query(`update public.publishers set territory = $2, status = 'negotiating' where id = $1`, [
      leaving,
      TERRITORIES.usEast,
    ]);
    const acmeLast = await rename(PUBLISHERS.sunriseBooks.id);

    await west.next((c) => summary(c) === acmeLast, 'the US_West update');
    await owner.next((c) => summary(c) === acmeLast, 'the owner’s later update');
    // RLS sees the row as it is now (US_East): the member's list drops it on its next re-read.
    expect(west.items.map(summary)).toEqual([acmeLast]);
    expect(owner.items.map(summary)).toEqual([`INSERT ${leaving}`, `UPDATE ${leaving}`, acmeLast]);
    expect(owner.items[1]).toMatchObject({ new: { territory: TERRITORIES.usEast, status: 'negotiating' } });
  });

  it('an owner’s delete of a publisher reaches nobody, in or outside the organisation', async () => {
    const ownerClient = await rt.userClient('acmeOwner');
    const bindings = [{ event: '*' as const }, { event: 'DELETE' as const }];
    const owner = await watch(ownerClient, ACME, bindings);
    const doomed = await insertPublisher(ACME, TERRITORIES.usWest);
    // Once the owner has the INSERT, it is behind us: the others subscribe after it.
    await owner.next((c) => summary(c) === `INSERT ${doomed}`, 'the INSERT');
    const west = await watch(await rt.userClient('acmeWest'), ACME, bindings);
    const globex = await watch(await rt.userClient('globexMember'), GLOBEX, bindings);

    const deleted = await ownerClient.from('publishers').delete().eq('id', doomed).select('id');
    expect(deleted).toMatchObject({ status: 200, data: [{ id: doomed }] });
    const acmeLast = await rename(PUBLISHERS.sunriseBooks.id);
    const globexLast = await rename(PUBLISHERS.globexTomes.id);

    await owner.next((c) => summary(c) === acmeLast, 'the owner’s later update');
    await west.next((c) => summary(c) === acmeLast, 'the US_West member’s later update');
    await globex.next((c) => summary(c) === globexLast, 'Globex’s later update');
    // Both bindings match an UPDATE, and Realtime sends it once per channel.
    expect(owner.items.map(summary)).toEqual([`INSERT ${doomed}`, acmeLast]);
    expect(west.items.map(summary)).toEqual([acmeLast]);
    expect(globex.items.map(summary)).toEqual([globexLast]);
    const { rows } = await db().query<{ n: number }>('select count(*)::int as n from public.publishers where id = $1', [
      doomed,
    ]);
    expect(rows[0]!.n).toBe(0);
  });
});
