/**
 * The realtime.messages policies, generated from the contract: for every role, every topic kind
 * (with instances that probe each reader rule) and read / presence write / broadcast write, the
 * expected verdict is computed from TOPIC_POLICIES and compared with what the real policies say
 * (checkRealtimeRead/Write: the probe-row check Realtime runs on join and on send).
 * The SQL copy of the table (private.topic_policies) must equal TOPIC_POLICIES.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activityTopic,
  orgTopic,
  parseTopic,
  publisherCollabTopic,
  publisherRecordTopic,
  territoryTopic,
  TOPIC_KINDS,
  TOPIC_POLICIES,
  userTopic,
  type ParsedTopic,
  type TopicWriters,
} from '../../src/contract/index.ts';
import { checkRealtimeRead, checkRealtimeWrite, type JwtClaims } from '../../local-stack/db/index.ts';
import { ORGS, PUBLISHERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { addPeople, claimsOf, EXTRA, SEEDED, type Person } from './_people.ts';

const ACME = ORGS.acme.id;
/** An Acme publisher without a territory, added by this suite. */
const UNASSIGNED = { id: 'c0000000-0000-4000-8000-0000000000a1', orgId: ACME, territory: null };
const KNOWN_PUBLISHERS = [...Object.values(PUBLISHERS), UNASSIGNED];

const CALLERS: Record<string, Person | null> = {
  owner: SEEDED.owner,
  admin: EXTRA.admin,
  westMember: SEEDED.westMember,
  unrestrictedMember: EXTRA.unrestrictedMember,
  agent: SEEDED.agent,
  otherOrgMember: SEEDED.otherOrgMember,
  anon: null,
};

const { sunriseBooks: sunrise, harborHouse: harbor } = PUBLISHERS;
const publisherTopics = (build: typeof publisherRecordTopic) => [
  build(ACME, sunrise.id, 'US_West'),
  build(ACME, harbor.id, 'US_East'),
  build(ACME, UNASSIGNED.id, null),
  // Not the publisher's current territory: refused to everyone.
  build(ACME, sunrise.id, 'US_East'),
  build(ACME, UNASSIGNED.id, 'US_West'),
  build(ACME, sunrise.id, null),
];
const SAMPLES: Record<(typeof TOPIC_KINDS)[number], readonly string[]> = {
  org: [orgTopic(ACME), orgTopic(ORGS.globex.id)],
  activity: [activityTopic(ACME), activityTopic(ORGS.globex.id)],
  territory: [territoryTopic(ACME, 'US_West'), territoryTopic(ACME, 'US_East')],
  record: publisherTopics(publisherRecordTopic),
  collab: publisherTopics(publisherCollabTopic),
  user: [userTopic(SEEDED.owner.id), userTopic(SEEDED.westMember.id)],
};

// ── The contract's rules, as a model ──

const seesTerritory = (p: Person, territory: string | null) =>
  p.role === 'owner' ||
  p.role === 'admin' ||
  p.territories.length === 0 ||
  (territory !== null && p.territories.includes(territory));

function isReader(p: Person | null, topic: ParsedTopic): boolean {
  if (p === null) return false;
  if (topic.kind === 'user') return TOPIC_POLICIES.user.readers === 'self' && p.id === topic.userId;
  if (p.orgId !== topic.orgId) return false;
  switch (TOPIC_POLICIES[topic.kind].readers) {
    case 'members':
      return true;
    case 'territory':
      return topic.kind === 'territory' && seesTerritory(p, topic.territory);
    case 'publisher': {
      if (topic.kind !== 'record' && topic.kind !== 'collab') return false;
      const publisher = KNOWN_PUBLISHERS.find((x) => x.id === topic.publisherId && x.orgId === topic.orgId);
      return (
        publisher !== undefined && publisher.territory === topic.territory && seesTerritory(p, publisher.territory)
      );
    }
    case 'self':
      return false;
  }
}

function isWriter(p: Person | null, topic: ParsedTopic, writers: TopicWriters): boolean {
  if (writers === 'none' || !isReader(p, topic)) return false;
  return writers === 'readers' || p!.role !== 'agent';
}

interface Verdicts {
  read: boolean;
  presence: boolean;
  broadcast: boolean;
}

function expected(p: Person | null, topic: string): Verdicts {
  const parsed = parseTopic(topic)!;
  const policy = TOPIC_POLICIES[parsed.kind];
  return {
    read: isReader(p, parsed),
    presence: isWriter(p, parsed, policy.presence),
    broadcast: isWriter(p, parsed, policy.broadcast),
  };
}

const claims = (p: Person | null): JwtClaims => (p === null ? { role: 'anon' } : claimsOf(p));

describe.each(BACKENDS)('realtime policy matrix generated from TOPIC_POLICIES (%s)', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
    await addPeople(t.db, [EXTRA.admin, EXTRA.unrestrictedMember]);
    await t.db.query(
      `insert into public.publishers (id, organization_id, name, territory) values ($1, $2, 'Nowhere Books', null)`,
      [UNASSIGNED.id, ACME],
    );
  });
  afterAll(() => t?.dispose());

  it('private.topic_policies is TOPIC_POLICIES, row for row', async () => {
    const { rows } = await t.db.query<{
      kind: string;
      authority: string;
      readers: string;
      presence: string;
      broadcast: string;
    }>('select kind, authority, readers, presence, broadcast from private.topic_policies order by kind');
    const fromContract = TOPIC_KINDS.map((kind) => {
      const { authority, readers, presence, broadcast } = TOPIC_POLICIES[kind];
      return { kind, authority, readers, presence, broadcast };
    }).toSorted((a, b) => a.kind.localeCompare(b.kind));
    expect(rows).toEqual(fromContract);
  });

  it('the database refuses a server-authoritative topic that takes client broadcasts', async () => {
    await expect(
      t.db.query(`update private.topic_policies set broadcast = 'readers' where kind = 'record'`),
    ).rejects.toThrow(/server_topics_take_no_client_broadcast/);
  });

  const cases = TOPIC_KINDS.flatMap((kind) => SAMPLES[kind].map((topic) => ({ kind, topic })));
  it('samples every topic kind', () => {
    expect(new Set(cases.map((c) => parseTopic(c.topic)?.kind))).toEqual(new Set(TOPIC_KINDS));
  });

  describe.each(cases)('$kind topic $topic', ({ topic }) => {
    it.each(Object.keys(CALLERS))('as %s: read, presence and broadcast as the contract says', async (caller) => {
      const p = CALLERS[caller]!;
      const read = await checkRealtimeRead(t.db, { claims: claims(p), topic }, { presence: true });
      const presence = await checkRealtimeWrite(t.db, { claims: claims(p), topic }, ['presence']);
      const broadcast = await checkRealtimeWrite(t.db, { claims: claims(p), topic }, ['broadcast']);
      const want = expected(p, topic);
      expect({
        read: read.broadcast,
        presenceRead: read.presence,
        presence: presence.presence,
        broadcast: broadcast.broadcast,
      }).toEqual({
        read: want.read,
        presenceRead: want.read,
        presence: want.presence,
        broadcast: want.broadcast,
      });
    });
  });

  it('the matrix is not trivial: every kind grants someone something and refuses someone', () => {
    for (const kind of TOPIC_KINDS) {
      const verdicts = SAMPLES[kind].flatMap((topic) => Object.values(CALLERS).map((p) => expected(p, topic).read));
      expect(verdicts, kind).toContain(true);
      expect(verdicts, kind).toContain(false);
    }
  });
});
