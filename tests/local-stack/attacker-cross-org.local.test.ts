/**
 * The attacker's side, part 2: a malicious member. A Globex member against every Acme topic and
 * row; an Acme member forging server-authoritative events on topics clients cannot write; the
 * US_West member reaching for US_East; the agent account reaching past agent_runs. Each refusal
 * is asserted as the client sees it, and that nothing was delivered, leaked or written.
 */
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  activityTopic,
  orgTopic,
  publisherCollabTopic,
  publisherRecordTopic,
  territoryTopic,
  userTopic,
} from '../../src/contract/index.ts';
import { AGENT_RUNS, ORGS, PUBLISHERS, TERRITORIES, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { expectOnlyLegit } from '../_support/attacker.ts';
import { bumpRun, createOrgWideRun } from '../_support/org-wide-run.ts';
import {
  broadcasts,
  firstStatus,
  Inbox,
  joined,
  rawSocket,
  startRealtimeStack,
  type BroadcastMessage,
  type RealtimeStack,
} from '../_support/realtime.ts';

const ACME = ORGS.acme.id;
const unauthorized = (topic: string) =>
  `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`;
const FORGED = { forged: true };
const isForged = (m: BroadcastMessage) => (m.payload as { forged?: boolean } | null)?.forged === true;

describe.each(BACKENDS)('attacker: malicious members across organisations, territories and roles (%s)', (backend) => {
  let rt: RealtimeStack;

  beforeAll(async () => {
    // Public httpSend and a postgres_changes channel are attacked too: opt out of the private-only default.
    rt = await startRealtimeStack(backend, { privateOnly: false });
  });
  afterEach(async () => {
    await rt.closeClients();
  });
  afterAll(async () => {
    await rt?.stop();
  });

  // ── legitimate, server-written messages that end every "nothing arrived" wait ──

  // An organisation-wide run that is processing: its changes go to org:<acme> (org-wide-run.ts).
  let legitRun: string | undefined;
  async function bumpAgentRun(): Promise<string> {
    legitRun ??= await createOrgWideRun(rt.database.db, ACME);
    return bumpRun(rt.database.db, legitRun);
  }

  async function renamePublisher(publisherId: string, name: string): Promise<void> {
    await rt.database.db.query('update public.publishers set name = $2 where id = $1', [publisherId, name]);
  }

  async function notify(userId: string, message: string): Promise<void> {
    await rt.database.db.query(
      `insert into public.notifications (organization_id, user_id, level, message, persistent, source) values ($1, $2, 'info', $3, false, 'system')`,
      [ACME, userId, message],
    );
  }

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const { rows } = await rt.database.db.query<{ n: number }>(`select count(*)::int as n from ${sql}`, params);
    return rows[0]!.n;
  }

  /**
   * Resolves once the server has processed everything this channel sent before: a socket handles
   * one topic's pushes in order, and a presence push is always answered (ok, or refused).
   */
  async function processed(channel: RealtimeChannel): Promise<void> {
    expect(['ok', 'error']).toContain(await channel.track({ fence: true }));
  }

  async function privateInbox(client: SupabaseClient, topic: string): Promise<Inbox<BroadcastMessage>> {
    const channel = client.channel(topic, { config: { private: true } });
    const inbox = broadcasts(channel);
    await joined(channel);
    return inbox;
  }

  describe('a Globex member against Acme', () => {
    it.each([
      ['the org topic', orgTopic(ACME)],
      ['the activity topic', activityTopic(ACME)],
      ['a territory topic', territoryTopic(ACME, TERRITORIES.usWest)],
      ['a record topic', publisherRecordTopic(ACME, PUBLISHERS.sunriseBooks.id, PUBLISHERS.sunriseBooks.territory)],
      ['a collab topic', publisherCollabTopic(ACME, PUBLISHERS.sunriseBooks.id, PUBLISHERS.sunriseBooks.territory)],
      ["the owner's user topic", userTopic(USERS.acmeOwner.id)],
    ])('cannot join %s (exact Unauthorized reason)', async (_label, topic) => {
      const globex = await rt.userClient('globexMember');
      expect(await firstStatus(globex.channel(topic, { config: { private: true } }))).toEqual({
        status: 'CHANNEL_ERROR',
        error: unauthorized(topic),
      });
    });

    it('cannot track presence or broadcast on an Acme topic it was refused: pushes get "unmatched topic", members see nothing', async () => {
      const topic = publisherRecordTopic(ACME, PUBLISHERS.sunriseBooks.id, PUBLISHERS.sunriseBooks.territory);
      const owner = await rt.userClient('acmeOwner');
      const ownerChannel = owner.channel(topic, { config: { private: true, presence: { key: USERS.acmeOwner.id } } });
      const inbox = broadcasts(ownerChannel);
      const presenceJoins: string[] = [];
      ownerChannel.on('presence', { event: 'join' }, ({ key }) => presenceJoins.push(key));
      await joined(ownerChannel);

      const raw = await rawSocket(rt.stack, { apikey: rt.stack.config.anonKey });
      raw.push('1', '1', `realtime:${topic}`, 'phx_join', {
        config: { private: true, presence: { key: 'intruder', enabled: true } },
        access_token: await rt.token('globexMember'),
      });
      expect(await raw.reply('1')).toEqual({ status: 'error', response: { reason: unauthorized(topic) } });
      raw.push('1', '2', `realtime:${topic}`, 'presence', {
        type: 'presence',
        event: 'track',
        payload: { user: 'intruder' },
      });
      raw.push('1', '3', `realtime:${topic}`, 'broadcast', {
        type: 'broadcast',
        event: 'publisher_update',
        payload: FORGED,
      });
      expect(await raw.reply('2')).toEqual({ status: 'error', response: { reason: 'unmatched topic' } });
      expect(await raw.reply('3')).toEqual({ status: 'error', response: { reason: 'unmatched topic' } });
      raw.close();

      await renamePublisher(PUBLISHERS.sunriseBooks.id, 'Sunrise Books (cross-org check)');
      await expectOnlyLegit(
        inbox,
        (m) => m.event === 'publisher_update' && m.meta?.id !== undefined,
        isForged,
        'the database publisher_update',
      );
      expect(presenceJoins).not.toContain('intruder');
    });

    it('cannot httpSend to any Acme topic: 403 Unauthorized', async () => {
      const token = await rt.token('globexMember');
      const { id, territory } = PUBLISHERS.sunriseBooks;
      for (const topic of [
        orgTopic(ACME),
        activityTopic(ACME),
        publisherRecordTopic(ACME, id, territory),
        publisherCollabTopic(ACME, id, territory),
      ]) {
        const response = await fetch(
          `${rt.stack.url}/realtime/v1/api/broadcast/${encodeURIComponent(topic)}/events/agent_status?private=true`,
          {
            method: 'POST',
            headers: {
              apikey: rt.stack.config.anonKey,
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify(FORGED),
          },
        );
        expect({ topic, status: response.status, body: await response.json() }).toEqual({
          topic,
          status: 403,
          body: { message: 'Unauthorized' },
        });
      }
    });

    it("reads none of Acme's rows over REST", async () => {
      const globex = await rt.userClient('globexMember');
      for (const table of [
        'publishers',
        'agent_runs',
        'notifications',
        'team_updates',
        'organization_members',
        'organizations',
      ] as const) {
        const column = table === 'organizations' ? 'id' : 'organization_id';
        const { data, error, status } = await globex.from(table).select('*').eq(column, ACME);
        expect({ table, status, error, data }).toEqual({ table, status: 200, error: null, data: [] });
      }
      const byId = await globex.from('publishers').select('id').eq('id', PUBLISHERS.sunriseBooks.id).maybeSingle();
      expect(byId).toMatchObject({ status: 200, data: null, error: null });
      // The count of a filtered read leaks nothing either.
      const counted = await globex
        .from('publishers')
        .select('id', { count: 'exact', head: true })
        .eq('organization_id', ACME);
      expect(counted.count).toBe(0);
    });

    it('cannot update or delete Acme publishers: nothing matches, nothing changes', async () => {
      const globex = await rt.userClient('globexMember');
      const updated = await globex
        .from('publishers')
        .update({ name: 'pwned' })
        .eq('id', PUBLISHERS.harborHouse.id)
        .select();
      expect(updated).toMatchObject({ status: 200, data: [], error: null });
      const deleted = await globex.from('publishers').delete().eq('organization_id', ACME).select();
      expect(deleted).toMatchObject({ status: 200, data: [], error: null });
      expect(await count(`public.publishers where organization_id = $1 and name <> 'pwned'`, [ACME])).toBe(4);
    });

    it('cannot upsert an Acme agent run, insert a notification for an Acme user, post to Acme or join Acme', async () => {
      const globex = await rt.userClient('globexMember');
      const runsBefore = await count('public.agent_runs');
      const upsert = await globex.from('agent_runs').upsert({
        id: AGENT_RUNS.acmeEnrichment.id,
        organization_id: ACME,
        agent_id: 'enrichment-agent',
        status: 'error',
        error: 'forged',
      });
      expect(upsert.status).toBe(403);
      expect(upsert.error).toMatchObject({
        code: '42501',
        message: 'new row violates row-level security policy for table "agent_runs"',
      });
      expect(await count(`public.agent_runs where error = 'forged'`)).toBe(0);
      expect(await count('public.agent_runs')).toBe(runsBefore);

      const notificationsBefore = await count('public.notifications');
      const notification = await globex.from('notifications').insert({
        organization_id: ACME,
        user_id: USERS.acmeOwner.id,
        level: 'error',
        message: 'forged',
        source: 'system',
      });
      expect(notification.status).toBe(403);
      expect(notification.error).toMatchObject({ code: '42501', message: 'permission denied for table notifications' });
      expect(await count('public.notifications')).toBe(notificationsBefore);

      const post = await globex.from('team_updates').insert({
        organization_id: ACME,
        update_type: 'assignment',
        message: 'forged',
        user_id: USERS.globexMember.id,
        details: {},
      });
      expect(post.status).toBe(403);
      expect(post.error).toMatchObject({ code: '42501' });

      const join = await globex
        .from('organization_members')
        .insert({ organization_id: ACME, user_id: USERS.globexMember.id, role: 'owner' });
      expect(join.status).toBe(403);
      expect(join.error).toMatchObject({ code: '42501' });
      expect(
        await count('public.organization_members where organization_id = $1 and user_id = $2', [
          ACME,
          USERS.globexMember.id,
        ]),
      ).toBe(0);
    });
  });

  describe('an Acme member forging server-authoritative events', () => {
    it('agent_status sent on org:<acme> (presence-only for clients) never reaches the owner; the next real status does', async () => {
      const owner = await rt.userClient('acmeOwner');
      const inbox = await privateInbox(owner, orgTopic(ACME));
      const west = await rt.userClient('acmeWest', { timeout: 1000 });
      const attacker = west.channel(orgTopic(ACME), { config: { private: true, broadcast: { ack: true } } });
      await joined(attacker);
      // A denied private write gets no reply even with ack (§3.3): the client sees "timed out".
      expect(await attacker.send({ type: 'broadcast', event: 'agent_status', payload: FORGED })).toBe('timed out');
      await processed(attacker);
      await expect(attacker.httpSend('agent_status', FORGED)).rejects.toThrow('Unauthorized');

      const id = await bumpAgentRun();
      const legit = await expectOnlyLegit(
        inbox,
        (m) => m.event === 'agent_status' && (m.payload as { id?: string }).id === id,
        isForged,
        'the real agent_status',
      );
      expect(legit.meta?.id).toEqual(expect.any(String));
    });

    it('publisher_update sent on a territory topic never reaches its members; the next real update does', async () => {
      const topic = territoryTopic(ACME, TERRITORIES.usWest);
      const owner = await rt.userClient('acmeOwner');
      const inbox = await privateInbox(owner, topic);
      const west = await rt.userClient('acmeWest');
      const attacker = west.channel(topic, { config: { private: true } });
      await joined(attacker);
      await attacker.send({ type: 'broadcast', event: 'publisher_update', payload: FORGED });
      await processed(attacker);
      await expect(attacker.httpSend('publisher_update', FORGED)).rejects.toThrow('Unauthorized');

      await renamePublisher(PUBLISHERS.pacificPress.id, 'Pacific Press (forgery check)');
      await expectOnlyLegit(
        inbox,
        (m) => m.event === 'publisher_update' && m.meta?.id !== undefined,
        isForged,
        'the real publisher_update',
      );
    });

    it("notification sent on a user topic never arrives; no one can even join another user's topic", async () => {
      const topic = userTopic(USERS.acmeWest.id);
      const west = await rt.userClient('acmeWest');
      const inbox = await privateInbox(west, topic);
      const sender = (await rt.userClient('acmeWest')).channel(topic, { config: { private: true } });
      await joined(sender);
      await sender.send({ type: 'broadcast', event: 'notification', payload: FORGED });
      await processed(sender);
      const owner = await rt.userClient('acmeOwner');
      expect(await firstStatus(owner.channel(topic, { config: { private: true } }))).toEqual({
        status: 'CHANNEL_ERROR',
        error: unauthorized(topic),
      });
      await expect(
        owner.channel(topic, { config: { private: true } }).httpSend('notification', FORGED),
      ).rejects.toThrow('Unauthorized');

      await notify(USERS.acmeWest.id, 'a real notification');
      const legit = await expectOnlyLegit(
        inbox,
        (m) => m.event === 'notification' && m.meta?.id !== undefined,
        isForged,
        'the real notification',
      );
      expect((legit.payload as { data: { message: string } }).data.message).toBe('a real notification');
    });

    it('a public channel or the REST batch with the same name never reaches the private subscribers', async () => {
      const owner = await rt.userClient('acmeOwner');
      const inbox = await privateInbox(owner, orgTopic(ACME));
      // The public namespace of the same name is open to anyone with the anon key (§2.1).
      expect(await rt.client().channel(orgTopic(ACME)).httpSend('agent_status', FORGED)).toEqual({ success: true });
      // The batch endpoint answers 202 even when it drops a private message (§3.6.1).
      const batch = await fetch(`${rt.stack.url}/realtime/v1/api/broadcast`, {
        method: 'POST',
        headers: {
          apikey: rt.stack.config.anonKey,
          authorization: `Bearer ${await rt.token('acmeWest')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          messages: [{ topic: orgTopic(ACME), event: 'agent_status', payload: FORGED, private: true }],
        }),
      });
      expect(batch.status).toBe(202);

      const id = await bumpAgentRun();
      await expectOnlyLegit(inbox, (m) => (m.payload as { id?: string }).id === id, isForged, 'the real agent_status');
    });
  });

  describe('the US_West member reaching for US_East', () => {
    it.each([
      ['the US_East territory topic', territoryTopic(ACME, TERRITORIES.usEast)],
      ['a US_East record topic', publisherRecordTopic(ACME, PUBLISHERS.harborHouse.id, TERRITORIES.usEast)],
      ['a US_East collab topic', publisherCollabTopic(ACME, PUBLISHERS.harborHouse.id, TERRITORIES.usEast)],
      [
        'a US_East record under its own territory',
        publisherRecordTopic(ACME, PUBLISHERS.harborHouse.id, TERRITORIES.usWest),
      ],
      [
        'a Globex publisher under an Acme topic',
        publisherRecordTopic(ACME, PUBLISHERS.globexTomes.id, TERRITORIES.usWest),
      ],
    ])('cannot join %s', async (_label, topic) => {
      const west = await rt.userClient('acmeWest');
      expect(await firstStatus(west.channel(topic, { config: { private: true } }))).toEqual({
        status: 'CHANNEL_ERROR',
        error: unauthorized(topic),
      });
    });

    it('reads only US_West publishers and no US_East team updates over REST, and cannot edit US_East', async () => {
      const west = await rt.userClient('acmeWest');
      const publishers = await west.from('publishers').select('id, territory').order('id');
      expect(publishers.data).toEqual([
        { id: PUBLISHERS.sunriseBooks.id, territory: TERRITORIES.usWest },
        { id: PUBLISHERS.pacificPress.id, territory: TERRITORIES.usWest },
      ]);
      const east = await west.from('publishers').select('id').eq('territory', TERRITORIES.usEast);
      expect(east.data).toEqual([]);
      const updates = await west.from('team_updates').select('territory');
      expect(updates.error).toBeNull();
      expect(updates.data?.map((u) => u.territory).filter((t) => t === TERRITORIES.usEast)).toEqual([]);
      expect(updates.data?.length).toBeGreaterThan(0);

      const edit = await west.from('publishers').update({ name: 'pwned' }).eq('id', PUBLISHERS.harborHouse.id).select();
      expect(edit).toMatchObject({ status: 200, data: [] });
      // Moving a record of its own territory out to US_East is refused by the policy's WITH CHECK.
      const move = await west
        .from('publishers')
        .update({ territory: TERRITORIES.usEast })
        .eq('id', PUBLISHERS.sunriseBooks.id);
      expect(move.status).toBe(403);
      expect(move.error).toMatchObject({ code: '42501' });
      const post = await west.from('team_updates').insert({
        organization_id: ACME,
        update_type: 'assignment',
        message: 'east',
        user_id: USERS.acmeWest.id,
        territory: TERRITORIES.usEast,
        details: {},
      });
      expect(post.status).toBe(403);
      // Nor widen its own territories (only owners/admins manage members).
      const widen = await west
        .from('organization_members')
        .update({ territories: [] })
        .eq('user_id', USERS.acmeWest.id)
        .select();
      expect(widen).toMatchObject({ status: 200, data: [] });
      expect(
        await count(`public.publishers where name = 'pwned' or (id = $1 and territory <> 'US_West')`, [
          PUBLISHERS.sunriseBooks.id,
        ]),
      ).toBe(0);
      expect(
        await count(`public.organization_members where user_id = $1 and territories = '{US_West}'`, [
          USERS.acmeWest.id,
        ]),
      ).toBe(1);
    });

    it('postgres_changes on publishers: no US_East change and no deleted id reaches the US_West member, nor Globex', async () => {
      // publishers is published for INSERT and UPDATE only: RLS filters those per subscriber, and
      // the DELETE events Realtime would send to every subscriber without RLS are never produced
      // (docs/security.md). Both attackers subscribe unfiltered, for every event, DELETE explicitly too.
      type Change = { eventType: string; new: { id?: string }; old: { id?: string } };
      const summary = (c: Change) => `${c.eventType} ${(c.eventType === 'DELETE' ? c.old : c.new).id}`;
      async function watch(client: SupabaseClient, name: string): Promise<Inbox<Change>> {
        const changes = new Inbox<Change>();
        const channel = client
          .channel(name)
          .on('postgres_changes', { event: '*', schema: 'public', table: 'publishers' }, (c) =>
            changes.push(c as unknown as Change),
          )
          .on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'publishers' }, (c) =>
            changes.push(c as unknown as Change),
          );
        const system = new Inbox<{ extension: string; status: string; message: string }>();
        channel.on('system', {}, (m) => system.push(m as { extension: string; status: string; message: string }));
        await joined(channel);
        const status = await system.next((m) => m.extension === 'postgres_changes', 'the postgres_changes status');
        expect(status).toMatchObject({ status: 'ok', message: 'Subscribed to PostgreSQL' });
        return changes;
      }
      const west = await watch(await rt.userClient('acmeWest'), 'west-publishers');
      const globex = await watch(await rt.userClient('globexMember'), 'globex-publishers');

      const doomed = randomUUID();
      await rt.database.db.query(
        `insert into public.publishers (id, organization_id, name, territory) values ($1, $2, 'Doomed', $3)`,
        [doomed, ACME, TERRITORIES.usEast],
      );
      await renamePublisher(PUBLISHERS.harborHouse.id, 'Harbor House (east, hidden)');
      await rt.database.db.query('delete from public.publishers where id = $1', [doomed]);
      // Later changes each attacker may see: delivery is in commit order, so anything sent before is here.
      await renamePublisher(PUBLISHERS.sunriseBooks.id, 'Sunrise Books (west, visible)');
      await renamePublisher(PUBLISHERS.globexTomes.id, 'Globex Tomes (visible to Globex)');
      await west.next((c) => summary(c) === `UPDATE ${PUBLISHERS.sunriseBooks.id}`, 'the US_West update');
      await globex.next((c) => summary(c) === `UPDATE ${PUBLISHERS.globexTomes.id}`, 'the Globex update');
      expect(west.items.map(summary)).toEqual([`UPDATE ${PUBLISHERS.sunriseBooks.id}`]);
      expect(globex.items.map(summary)).toEqual([`UPDATE ${PUBLISHERS.globexTomes.id}`]);
      expect(await count('public.publishers where id = $1', [doomed])).toBe(0);
    });
  });

  describe('the agent account', () => {
    it('cannot update publishers or post team updates', async () => {
      const agent = await rt.userClient('acmeAgent');
      const edit = await agent
        .from('publishers')
        .update({ status: 'pwned' })
        .eq('id', PUBLISHERS.sunriseBooks.id)
        .select();
      expect(edit).toMatchObject({ status: 200, data: [] });
      const insert = await agent
        .from('publishers')
        .insert({ organization_id: ACME, name: 'Agent-made', territory: TERRITORIES.usWest });
      expect(insert.status).toBe(403);
      const post = await agent.from('team_updates').insert({
        organization_id: ACME,
        update_type: 'publisher_update',
        message: 'agent post',
        user_id: USERS.acmeAgent.id,
        details: {},
      });
      expect(post.status).toBe(403);
      expect(post.error).toMatchObject({
        code: '42501',
        message: 'new row violates row-level security policy for table "team_updates"',
      });
      expect(await count(`public.publishers where status = 'pwned' or name = 'Agent-made'`)).toBe(0);
      expect(await count(`public.team_updates where message = 'agent post'`)).toBe(0);
    });

    it('cannot read other organisations or take over their agent runs', async () => {
      const agent = await rt.userClient('acmeAgent');
      for (const table of ['publishers', 'agent_runs', 'notifications', 'team_updates'] as const) {
        const { data } = await agent.from(table).select('id').eq('organization_id', ORGS.globex.id);
        expect({ table, data }).toEqual({ table, data: [] });
      }
      // An upsert naming Globex's run id but its own organisation hits the existing Globex row: refused.
      const takeover = await agent.from('agent_runs').upsert({
        id: AGENT_RUNS.globexEnrichment.id,
        organization_id: ACME,
        agent_id: 'enrichment-agent',
        status: 'error',
        error: 'taken over',
      });
      expect(takeover.status).toBe(403);
      expect(takeover.error).toMatchObject({ code: '42501' });
      const moved = await agent.from('agent_runs').upsert({
        id: AGENT_RUNS.globexEnrichment.id,
        organization_id: ORGS.globex.id,
        agent_id: 'x',
        status: 'error',
      });
      expect(moved.status).toBe(403);
      expect(
        await count(`public.agent_runs where id = $1 and organization_id = $2 and status = 'idle' and error is null`, [
          AGENT_RUNS.globexEnrichment.id,
          ORGS.globex.id,
        ]),
      ).toBe(1);
      expect(await firstStatus(agent.channel(orgTopic(ORGS.globex.id), { config: { private: true } }))).toEqual({
        status: 'CHANNEL_ERROR',
        error: unauthorized(orgTopic(ORGS.globex.id)),
      });
    });
  });
});
