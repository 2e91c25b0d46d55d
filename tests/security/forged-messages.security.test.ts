/**
 * Server messages forged by members. The old publisher topic took client
 * broadcasts, so any member (the agent account too) could send a `publisher_update` that looked
 * exactly like the trigger's; the agent account could send `agent_status` on the activity topic.
 * Each path is replayed (socket send, the REST batch endpoint with an `id`, httpSend): the
 * write is refused, subscribers get nothing forged, the next real message arrives, rows are unchanged.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  activityTopic,
  parseTopic,
  publisherCollabTopic,
  publisherRecordTopic,
  territoryTopic,
  topicCarries,
} from '../../src/contract/index.ts';
import { ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { expectOnlyLegit, type FixtureUser } from '../_support/attacker.ts';
import {
  broadcasts,
  joined,
  startRealtimeStack,
  type BroadcastMessage,
  type Inbox,
  type RealtimeStack,
} from '../_support/realtime.ts';

const ACME = ORGS.acme.id;
const SUNRISE = PUBLISHERS.sunriseBooks;
const RECORD = publisherRecordTopic(ACME, SUNRISE.id, SUNRISE.territory);
const COLLAB = publisherCollabTopic(ACME, SUNRISE.id, SUNRISE.territory);
const WEST = territoryTopic(ACME, SUNRISE.territory);
const FORGED_VERSION = 99;

/** Indistinguishable from the trigger's message but for its version. */
const forgedUpdate = (by: string) => ({
  id: `${SUNRISE.id}:${FORGED_VERSION}:status`,
  type: 'publisher_update',
  version: FORGED_VERSION,
  timestamp: new Date().toISOString(),
  data: { publisherId: SUNRISE.id, update: { field: 'status', oldValue: 'active', newValue: 'closed', updatedBy: by } },
});
const forgedStatus = {
  id: `${randomUUID()}:99`,
  type: 'agent_status',
  seq: 99,
  timestamp: new Date().toISOString(),
  data: { agentId: 'enrichment-agent', status: 'error', error: 'forged failure' },
};
const isForged = (m: BroadcastMessage) =>
  (m.payload as { version?: number; seq?: number } | null)?.version === FORGED_VERSION ||
  (m.payload as { seq?: number }).seq === 99;

describe.each(BACKENDS)('forged server messages (%s)', (backend) => {
  let rt: RealtimeStack;
  beforeAll(async () => {
    rt = await startRealtimeStack(backend);
  });
  afterEach(() => rt.closeClients());
  afterAll(() => rt?.stop());

  async function inbox(user: FixtureUser, topic: string): Promise<Inbox<BroadcastMessage>> {
    const channel = (await rt.userClient(user)).channel(topic, { config: { private: true } });
    const received = broadcasts(channel);
    await joined(channel);
    return received;
  }

  async function publisherRow(): Promise<{ version: number; status: string }> {
    const { rows } = await rt.database.db.query<{ version: number; status: string }>(
      'select version, status from public.publishers where id = $1',
      [SUNRISE.id],
    );
    return rows[0]!;
  }

  /** Sends `event`/`payload` on `topic` as `user` over the socket, the REST batch (with an id) and httpSend; returns what each answered. */
  async function forgeEverywhere(user: FixtureUser, topic: string, event: string, payload: object) {
    const client = await rt.userClient(user, { timeout: 1000 });
    const channel = client.channel(topic, { config: { private: true, broadcast: { ack: true } } });
    await joined(channel);
    const socket = await channel.send({ type: 'broadcast', event, payload });
    const http = await channel.httpSend(event, payload).then(
      () => 'accepted',
      (error: Error) => error.message,
    );
    const batch = await fetch(`${rt.stack.url}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: {
        apikey: rt.stack.config.anonKey,
        authorization: `Bearer ${await rt.token(user)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ messages: [{ topic, event, payload, private: true, id: randomUUID() }] }),
    });
    return { socket, http, batch: batch.status };
  }

  it.each<FixtureUser>(['acmeWest', 'acmeAgent'])(
    '%s cannot forge publisher_update on the record topic: refused, nothing arrives, the row is unchanged',
    async (attacker) => {
      const before = await publisherRow();
      const ownerRecord = await inbox('acmeOwner', RECORD);
      const ownerTerritory = await inbox('acmeOwner', WEST);
      const westRecord = await inbox('acmeWest', RECORD);

      // A denied private write gets no reply even with ack (§3.3); httpSend gets 403; the batch 202 and drops it (§3.6.1).
      expect(await forgeEverywhere(attacker, RECORD, 'publisher_update', forgedUpdate(USERS[attacker].id))).toEqual({
        socket: 'timed out',
        http: 'Unauthorized',
        batch: 202,
      });
      expect(await publisherRow()).toEqual(before);

      const { rows } = await rt.database.db.query<{ version: number }>(
        'update public.publishers set name = $2 where id = $1 returning version',
        [SUNRISE.id, `Sunrise Books ${randomUUID()}`],
      );
      const legit = (m: BroadcastMessage) =>
        (m.payload as { id?: string }).id === `${SUNRISE.id}:${rows[0]!.version}:name`;
      for (const received of [ownerRecord, ownerTerritory, westRecord]) {
        const real = await expectOnlyLegit(received, legit, isForged, 'the database publisher_update');
        expect(real.meta?.id).toEqual(expect.any(String));
      }
    },
  );

  it('on the collaborative topic a publisher_update is only a client event the contract drops; the agent cannot even send there', async () => {
    const ownerCollab = await inbox('acmeOwner', COLLAB);
    const ownerRecord = await inbox('acmeOwner', RECORD);
    // The agent account is not one of the people who collaborate on records.
    expect(await forgeEverywhere('acmeAgent', COLLAB, 'publisher_update', forgedUpdate(USERS.acmeAgent.id))).toEqual({
      socket: 'timed out',
      http: 'Unauthorized',
      batch: 202,
    });
    // A member may broadcast there (drafts); Realtime cannot see event names, so the forgery travels...
    const west = (await rt.userClient('acmeWest')).channel(COLLAB, {
      config: { private: true, broadcast: { ack: true } },
    });
    await joined(west);
    expect(
      await west.send({ type: 'broadcast', event: 'publisher_update', payload: forgedUpdate(USERS.acmeWest.id) }),
    ).toBe('ok');
    const arrived = await ownerCollab.next(
      (m) => m.event === 'publisher_update',
      'the forged event on the collab topic',
    );
    // ...but a collab topic does not carry publisher_update, so the client drops it by contract,
    expect(topicCarries(parseTopic(COLLAB)!.kind, arrived.event as 'publisher_update')).toBe(false);
    // and it never reaches the record topic, where the real updates are.
    const { rows } = await rt.database.db.query<{ version: number }>(
      'update public.publishers set name = $2 where id = $1 returning version',
      [SUNRISE.id, `Sunrise Books ${randomUUID()}`],
    );
    await expectOnlyLegit(
      ownerRecord,
      (m) => (m.payload as { id?: string }).id === `${SUNRISE.id}:${rows[0]!.version}:name`,
      isForged,
      'the real update',
    );
    // Only the agent's attempt is missing from the collab topic.
    expect(
      ownerCollab.items.filter(
        (m) =>
          (m.payload as { data?: { update?: { updatedBy?: string } } }).data?.update?.updatedBy === USERS.acmeAgent.id,
      ),
    ).toEqual([]);
  });

  it('the agent account cannot forge agent_status on the activity topic; the next user_snapshot of a person arrives', async () => {
    const runsBefore = (await rt.database.db.query('select id, status, seq from public.agent_runs order by id')).rows;
    const ownerActivity = await inbox('acmeOwner', activityTopic(ACME));
    expect(await forgeEverywhere('acmeAgent', activityTopic(ACME), 'agent_status', forgedStatus)).toEqual({
      socket: 'timed out',
      http: 'Unauthorized',
      batch: 202,
    });
    const west = (await rt.userClient('acmeWest')).channel(activityTopic(ACME), {
      config: { private: true, broadcast: { ack: true } },
    });
    await joined(west);
    const snapshot = {
      id: randomUUID(),
      type: 'user_snapshot',
      timestamp: new Date().toISOString(),
      data: { userId: USERS.acmeWest.id, activity: { action: 'viewing', status: 'online' } },
    };
    expect(await west.send({ type: 'broadcast', event: 'user_snapshot', payload: snapshot })).toBe('ok');
    await expectOnlyLegit(
      ownerActivity,
      (m) => (m.payload as { id?: string }).id === snapshot.id,
      isForged,
      "west's user_snapshot",
    );
    expect(ownerActivity.items.filter((m) => m.event === 'agent_status')).toEqual([]);
    expect((await rt.database.db.query('select id, status, seq from public.agent_runs order by id')).rows).toEqual(
      runsBefore,
    );
  });
});
