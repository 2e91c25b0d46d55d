/**
 * POST /broadcast, every caller × every message type, as the role table of docs/bridge.md says:
 * an allowed message arrives at a supabase-js subscriber on its topic with the id the bridge
 * answered; a refused one answers 403 with the reason, writes nothing and delivers nothing (the
 * next message the subscriber hears is a later sentinel from the service role).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { orgTopic, publisherRecordTopic, territoryTopic, userTopic } from '../../src/contract/topics.ts';
import type { MessageType } from '../../src/contract/message-types.ts';
import { CAMPAIGNS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import type { Inbox } from '../_support/inbox.ts';
import { BACKENDS } from '../_db.ts';
import { ACME, ACME_ADMIN, startBridgeStack, type BridgeStack, type Caller, type Received } from './_bridge.ts';

const OWNER = USERS.acmeOwner.id;
const SUNRISE = PUBLISHERS.sunriseBooks;

const CALLER_ID: Record<Caller, string> = {
  service_role: OWNER,
  acmeOwner: OWNER,
  acmeAdmin: ACME_ADMIN.id,
  acmeWest: USERS.acmeWest.id,
  acmeAgent: USERS.acmeAgent.id,
  globexMember: USERS.globexMember.id,
  anon: OWNER,
};

/** A valid message of each type, sent by `caller` (n makes each one distinguishable). */
function messageOf(type: MessageType, caller: Caller, n: number): Record<string, unknown> {
  switch (type) {
    case 'team_update':
      return { type, data: { updateType: 'assignment', message: `assigned ${n}`, details: {} } };
    case 'notification':
      return { type, data: { message: `hello ${n}`, level: 'info', userId: OWNER } };
    case 'agent_status':
      return {
        type,
        data: {
          agentId: `matrix-agent-${n}`,
          status: 'processing',
          progress: { progress: 10, currentTask: `task ${n}` },
        },
      };
    case 'publisher_update':
      return {
        type,
        data: {
          publisherId: SUNRISE.id,
          update: { field: 'status', newValue: `stage_${lettersOf(n)}`, updatedBy: null },
        },
      };
    case 'user_snapshot':
      return { type, data: { userId: CALLER_ID[caller], activity: { action: `viewing ${n}`, status: 'online' } } };
    case 'campaign_metric':
      return {
        type,
        data: { campaignId: CAMPAIGNS.sunriseSpring.id, impressions: 100 + n, clicks: n, conversions: 0, spend: 1.5 },
      };
  }
}

/** publishers.status allows only [a-z_]: 12 → 'bc'. */
function lettersOf(n: number): string {
  return String(n).replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!);
}

/** Where the Acme owner hears each type, and the topic the bridge answers. */
const OBSERVED_ON: Record<MessageType, string> = {
  team_update: orgTopic(ACME),
  notification: userTopic(OWNER),
  agent_status: orgTopic(ACME),
  publisher_update: territoryTopic(ACME, SUNRISE.territory),
  user_snapshot: orgTopic(ACME),
  campaign_metric: territoryTopic(ACME, SUNRISE.territory),
};
const ANSWERED_TOPIC: Record<MessageType, string> = {
  ...OBSERVED_ON,
  publisher_update: publisherRecordTopic(ACME, SUNRISE.id, SUNRISE.territory),
};

const ALL: readonly MessageType[] = [
  'team_update',
  'notification',
  'agent_status',
  'publisher_update',
  'user_snapshot',
  'campaign_metric',
];
/** The role table: what each caller may send in Acme, and the refusal code of the rest. */
const TABLE: Record<Caller, { allowed: readonly MessageType[]; refusal: string }> = {
  service_role: { allowed: ALL, refusal: '' },
  acmeOwner: { allowed: ALL, refusal: '' },
  acmeAdmin: { allowed: ALL, refusal: '' },
  acmeWest: {
    allowed: ['team_update', 'notification', 'publisher_update', 'user_snapshot'],
    refusal: 'type_not_allowed',
  },
  acmeAgent: { allowed: ['agent_status', 'campaign_metric'], refusal: 'type_not_allowed' },
  globexMember: { allowed: [], refusal: 'not_a_member' },
  anon: { allowed: [], refusal: 'anonymous_caller' },
};

describe.each(BACKENDS)('POST /broadcast role table on %s', (backend) => {
  let bridge: BridgeStack;
  let owner: Inbox<Received>;
  let n = 0;

  beforeAll(async () => {
    bridge = await startBridgeStack(backend);
    await bridge.createAcmeAdmin();
    owner = await bridge.observe('acmeOwner', [...new Set(Object.values(OBSERVED_ON))]);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  /** What a refused request could have written. */
  const written = async () => [
    await bridge.count('public.team_updates', 'true'),
    await bridge.count('public.notifications', 'true'),
    await bridge.count('public.agent_runs', 'true'),
    await bridge.count('public.campaign_metrics', 'true'),
    (await bridge.count('public.publishers', 'id = $1 and version > 1', [SUNRISE.id])) +
      (
        await bridge.auth.database.db.query<{ v: number }>('select version as v from public.publishers where id = $1', [
          SUNRISE.id,
        ])
      ).rows[0]!.v,
  ];

  const cases = (Object.keys(TABLE) as Caller[]).flatMap((caller) => ALL.map((type) => [caller, type] as const));

  test.each(cases)('%s sends %s', async (caller, type) => {
    const i = ++n;
    const body = { organizationId: ACME, message: messageOf(type, caller, i) };
    if (TABLE[caller].allowed.includes(type)) {
      const answer = await bridge.request('POST', '/broadcast', { caller, body });
      expect(answer.body).toEqual({ id: expect.any(String), type, topic: ANSWERED_TOPIC[type] });
      expect(answer.status).toBe(202);
      const heard = await owner.first(
        (r) => r.payload.id === answer.body.id && r.topic === OBSERVED_ON[type],
        `${type} ${answer.body.id}`,
      );
      expect(heard.event).toBe(type);
      expect(heard.payload.type).toBe(type);
      return;
    }
    const before = await written();
    const heardBefore = owner.items.length;
    const answer = await bridge.request('POST', '/broadcast', { caller, body });
    expect(answer.status).toBe(403);
    expect(answer.body.error?.code).toBe(TABLE[caller].refusal);
    expect(answer.body.error?.message).toMatch(
      caller === 'anon' ? /anon key/ : caller === 'globexMember' ? /not a member/ : new RegExp(`may not send ${type}`),
    );
    expect(await written()).toEqual(before);
    // Nothing delivered: the next thing of that type the owner hears on that topic is the service
    // role's sentinel (a saved field also puts its activity item, a team_update, on that topic).
    const sentinel = await bridge.request('POST', '/broadcast', {
      body: { organizationId: ACME, message: messageOf(type, 'service_role', 1000 + i) },
    });
    expect(sentinel.status).toBe(202);
    await owner.first((r) => r.payload.id === sentinel.body.id, 'the sentinel');
    expect(
      owner.items
        .slice(heardBefore)
        .filter((r) => r.topic === OBSERVED_ON[type] && r.event === type)
        .map((r) => r.payload.id),
    ).toEqual([sentinel.body.id]);
  });
});
