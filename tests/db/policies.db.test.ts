/**
 * Table RLS and realtime.messages policies, exercised as the real fixture users (and anon):
 * what each one sees, what each one may write, and who may join / track / send on each topic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTopic } from '../../src/contract/index.ts';
import { checkRealtimeRead, checkRealtimeWrite } from '../../local-stack/db/index.ts';
import {
  AGENT_RUNS,
  MENTION_NOTIFICATION_MESSAGE,
  NOTIFICATIONS,
  ORGS,
  PUBLISHERS,
  TEAM_UPDATES,
  USERS,
} from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { asCaller, attempt, CALLERS, claimsFor, type Caller, type Outcome } from './_as-user.ts';

const ACME = ORGS.acme.id;
const GLOBEX = ORGS.globex.id;
const P = PUBLISHERS;
const U = USERS;
const N = NOTIFICATIONS;
const T = TEAM_UPDATES;
const ACME_PEOPLE: readonly Caller[] = ['acmeOwner', 'acmeWest', 'acmeAgent'];
const MISSING_UUID = 'c0000000-0000-4000-8000-0000000000ff';

// ── Table visibility: what `select` returns per caller ──

interface VisibilityCase {
  table: string;
  /** The column the expectation lists. */
  column: string;
  visible: Record<Caller, readonly string[]>;
}

const VISIBILITY: readonly VisibilityCase[] = [
  {
    table: 'organizations',
    column: 'id',
    visible: { acmeOwner: [ACME], acmeWest: [ACME], acmeAgent: [ACME], globexMember: [GLOBEX], anon: [] },
  },
  {
    table: 'organization_members',
    column: 'user_id',
    visible: {
      acmeOwner: [U.acmeOwner.id, U.acmeWest.id, U.acmeAgent.id],
      acmeWest: [U.acmeOwner.id, U.acmeWest.id, U.acmeAgent.id],
      acmeAgent: [U.acmeOwner.id, U.acmeWest.id, U.acmeAgent.id],
      globexMember: [U.globexMember.id],
      anon: [],
    },
  },
  {
    table: 'publishers',
    column: 'id',
    visible: {
      acmeOwner: [P.sunriseBooks.id, P.pacificPress.id, P.harborHouse.id, P.libertyPrint.id],
      acmeWest: [P.sunriseBooks.id, P.pacificPress.id],
      acmeAgent: [P.sunriseBooks.id, P.pacificPress.id, P.harborHouse.id, P.libertyPrint.id],
      globexMember: [P.globexTomes.id],
      anon: [],
    },
  },
  {
    table: 'agent_runs',
    column: 'id',
    visible: {
      acmeOwner: [AGENT_RUNS.acmeEnrichment.id, AGENT_RUNS.acmeScoring.id],
      acmeWest: [AGENT_RUNS.acmeEnrichment.id, AGENT_RUNS.acmeScoring.id],
      acmeAgent: [AGENT_RUNS.acmeEnrichment.id, AGENT_RUNS.acmeScoring.id],
      globexMember: [AGENT_RUNS.globexEnrichment.id],
      anon: [],
    },
  },
  {
    table: 'notifications',
    column: 'message',
    visible: {
      acmeOwner: ['Scoring finished: 4 publishers scored', 'Weekly publisher report is ready'],
      acmeWest: ['Weekly publisher report is ready', MENTION_NOTIFICATION_MESSAGE],
      acmeAgent: ['Weekly publisher report is ready'],
      globexMember: ['Globex import paused for maintenance'],
      anon: [],
    },
  },
  {
    table: 'team_updates',
    column: 'id',
    visible: {
      acmeOwner: [T.acmeOrgWide, T.acmeUsWestMention, T.acmeUsEast],
      acmeWest: [T.acmeOrgWide, T.acmeUsWestMention],
      acmeAgent: [T.acmeOrgWide, T.acmeUsWestMention, T.acmeUsEast],
      globexMember: [T.globexOrgWide],
      anon: [],
    },
  },
];

// ── Table writes: each statement and who may run it ──

interface WriteCase {
  name: string;
  sql: string;
  params?: readonly unknown[];
  allowed: readonly Caller[];
}

const teamUpdateInsert = `insert into public.team_updates (organization_id, update_type, message, user_id, territory)
  values ($1, 'assignment', 'policy test', $2, $3)`;

const WRITES: readonly WriteCase[] = [
  // publishers
  {
    name: 'rename a US_West publisher',
    sql: `update public.publishers set name = 'Renamed' where id = $1`,
    params: [P.sunriseBooks.id],
    allowed: ['acmeOwner', 'acmeWest'],
  },
  {
    name: 'rename a US_East publisher',
    sql: `update public.publishers set name = 'Renamed' where id = $1`,
    params: [P.harborHouse.id],
    allowed: ['acmeOwner'],
  },
  {
    name: 'move a US_West publisher to US_East',
    sql: `update public.publishers set territory = 'US_East' where id = $1`,
    params: [P.sunriseBooks.id],
    allowed: ['acmeOwner'],
  },
  {
    name: "rename Globex's publisher",
    sql: `update public.publishers set name = 'Renamed' where id = $1`,
    params: [P.globexTomes.id],
    allowed: ['globexMember'],
  },
  {
    name: 'set a publisher version by hand',
    sql: `update public.publishers set version = 99 where id = $1`,
    params: [P.sunriseBooks.id],
    allowed: [],
  },
  {
    name: 'move a publisher to another organization',
    sql: `update public.publishers set organization_id = $2 where id = $1`,
    params: [P.sunriseBooks.id, GLOBEX],
    allowed: [],
  },
  {
    name: 'add a US_West publisher to Acme',
    sql: `insert into public.publishers (organization_id, name, territory) values ($1, 'New', 'US_West')`,
    params: [ACME],
    allowed: ['acmeOwner', 'acmeWest'],
  },
  {
    name: 'add a US_East publisher to Acme',
    sql: `insert into public.publishers (organization_id, name, territory) values ($1, 'New', 'US_East')`,
    params: [ACME],
    allowed: ['acmeOwner'],
  },
  {
    name: 'delete a US_West publisher',
    sql: `delete from public.publishers where id = $1`,
    params: [P.sunriseBooks.id],
    allowed: ['acmeOwner'],
  },
  // agent_runs
  {
    // A queued run is a request for work: people may ask, as themselves (requested_by defaults to the caller).
    name: 'queue Acme agent work',
    sql: `insert into public.agent_runs (organization_id, agent_id, status) values ($1, 'policy-agent', 'queued')`,
    params: [ACME],
    allowed: ['acmeOwner', 'acmeWest', 'acmeAgent'],
  },
  {
    name: 'queue Globex agent work',
    sql: `insert into public.agent_runs (organization_id, agent_id, status) values ($1, 'policy-agent', 'queued')`,
    params: [GLOBEX],
    allowed: ['globexMember'],
  },
  {
    name: 'start an Acme agent run (processing)',
    sql: `insert into public.agent_runs (organization_id, agent_id, status) values ($1, 'policy-agent', 'processing')`,
    params: [ACME],
    allowed: ['acmeOwner', 'acmeAgent'],
  },
  {
    name: 'queue Acme agent work about a US_East publisher',
    sql: `insert into public.agent_runs (organization_id, agent_id, status, publisher_id) values ($1, 'policy-agent', 'queued', $2)`,
    params: [ACME, P.harborHouse.id],
    allowed: ['acmeOwner', 'acmeAgent'],
  },
  {
    name: 'queue Acme agent work in the name of someone else',
    sql: `insert into public.agent_runs (organization_id, agent_id, status, requested_by) values ($1, 'policy-agent', 'queued', $2)`,
    params: [ACME, U.acmeOwner.id],
    allowed: ['acmeOwner', 'acmeAgent'],
  },
  {
    name: 'report progress on an Acme run',
    sql: `update public.agent_runs set progress = 55, current_task = 'Scoring' where id = $1`,
    params: [AGENT_RUNS.acmeEnrichment.id],
    allowed: ['acmeOwner', 'acmeAgent'],
  },
  {
    name: 'report progress on a Globex run',
    sql: `update public.agent_runs set progress = 55 where id = $1`,
    params: [AGENT_RUNS.globexEnrichment.id],
    allowed: [],
  },
  {
    name: 'move an Acme run to Globex',
    sql: `update public.agent_runs set organization_id = $2 where id = $1`,
    params: [AGENT_RUNS.acmeEnrichment.id, GLOBEX],
    allowed: [],
  },
  {
    name: 'upsert an Acme run (as supabase-py .upsert does)',
    sql: `insert into public.agent_runs (id, organization_id, agent_id, status, progress) values ($1, $2, 'enrichment-agent', 'processing', 80)
          on conflict (id) do update set organization_id = excluded.organization_id, agent_id = excluded.agent_id,
            status = excluded.status, progress = excluded.progress`,
    params: [AGENT_RUNS.acmeEnrichment.id, ACME],
    allowed: ['acmeOwner', 'acmeAgent'],
  },
  {
    name: 'delete an Acme run',
    sql: `delete from public.agent_runs where id = $1`,
    params: [AGENT_RUNS.acmeEnrichment.id],
    allowed: [],
  },
  // notifications
  {
    name: "mark west's mention notification read",
    sql: `update public.notifications set read_at = now() where user_id = $1`,
    params: [U.acmeWest.id],
    allowed: ['acmeWest'],
  },
  {
    name: "mark the owner's personal notification read",
    sql: `update public.notifications set read_at = now() where id = $1`,
    params: [N.acmeOwnerPersonal],
    allowed: ['acmeOwner'],
  },
  {
    name: 'mark an org-wide notification read',
    sql: `update public.notifications set read_at = now() where id = $1`,
    params: [N.acmeOrgWide],
    allowed: [],
  },
  {
    name: "rewrite the owner's notification message",
    sql: `update public.notifications set message = 'forged' where id = $1`,
    params: [N.acmeOwnerPersonal],
    allowed: [],
  },
  {
    name: 'create an Acme org-wide notification',
    sql: `insert into public.notifications (organization_id, message) values ($1, 'forged')`,
    params: [ACME],
    allowed: [],
  },
  {
    name: 'delete an Acme notification',
    sql: `delete from public.notifications where id = $1`,
    params: [N.acmeOwnerPersonal],
    allowed: [],
  },
  // team_updates
  ...CALLERS.filter((c) => c !== 'anon').flatMap((author): WriteCase[] => {
    const self = USERS[author].id;
    return [
      {
        name: `post an Acme org-wide team update as ${author}`,
        sql: teamUpdateInsert,
        params: [ACME, self, null],
        allowed: author === 'acmeOwner' || author === 'acmeWest' ? [author] : [],
      },
      {
        name: `post an Acme US_East team update as ${author}`,
        sql: teamUpdateInsert,
        params: [ACME, self, 'US_East'],
        allowed: author === 'acmeOwner' ? [author] : [],
      },
    ];
  }),
  {
    name: 'post an Acme US_West team update as acmeWest',
    sql: teamUpdateInsert,
    params: [ACME, U.acmeWest.id, 'US_West'],
    allowed: ['acmeWest'],
  },
  {
    name: 'edit an Acme team update',
    sql: `update public.team_updates set message = 'edited' where id = $1`,
    params: [T.acmeOrgWide],
    allowed: [],
  },
  // organization_members
  {
    name: "change west's territories",
    sql: `update public.organization_members set territories = '{US_West,US_East}' where user_id = $1`,
    params: [U.acmeWest.id],
    allowed: ['acmeOwner'],
  },
  {
    name: 'add the Globex member to Acme',
    sql: `insert into public.organization_members (organization_id, user_id, role) values ($1, $2, 'member')`,
    params: [ACME, U.globexMember.id],
    allowed: ['acmeOwner'],
  },
  {
    name: 'remove the Acme agent',
    sql: `delete from public.organization_members where user_id = $1`,
    params: [U.acmeAgent.id],
    allowed: ['acmeOwner'],
  },
  {
    name: "move west's membership to Globex",
    sql: `update public.organization_members set organization_id = $2 where user_id = $1`,
    params: [U.acmeWest.id, GLOBEX],
    allowed: [],
  },
  // organizations
  {
    name: 'rename Acme',
    sql: `update public.organizations set name = 'Acme 2' where id = $1`,
    params: [ACME],
    allowed: [],
  },
];

// ── realtime.messages: who may join (read), track (presence write) and send (broadcast write) ──

interface TopicCase {
  label: string;
  topic: string;
  read: readonly Caller[];
  presence: readonly Caller[];
  broadcast: readonly Caller[];
}

const NONE: readonly Caller[] = [];
const none = () => ({ read: NONE, presence: NONE, broadcast: NONE });
const malformed = (label: string, topic: string): TopicCase => ({ label, topic, ...none() });

const ACME_HUMANS: readonly Caller[] = ['acmeOwner', 'acmeWest'];
const record = (org: string, territory: string | null, publisher: string) =>
  `org:${org}:${territory === null ? 'unassigned' : `territory:${territory}`}:publisher:${publisher}`;
const collab = (org: string, territory: string | null, publisher: string) =>
  `${record(org, territory, publisher)}:collab`;

const TOPICS: readonly TopicCase[] = [
  { label: 'org:<acme>', topic: `org:${ACME}`, read: ACME_PEOPLE, presence: ACME_PEOPLE, broadcast: NONE },
  // Agent accounts read activity but never broadcast it.
  {
    label: 'org:<acme>:activity',
    topic: `org:${ACME}:activity`,
    read: ACME_PEOPLE,
    presence: NONE,
    broadcast: ACME_HUMANS,
  },
  {
    label: 'org:<acme>:territory:US_West',
    topic: `org:${ACME}:territory:US_West`,
    read: ACME_PEOPLE,
    presence: NONE,
    broadcast: NONE,
  },
  {
    label: 'org:<acme>:territory:US_East',
    topic: `org:${ACME}:territory:US_East`,
    read: ['acmeOwner', 'acmeAgent'],
    presence: NONE,
    broadcast: NONE,
  },
  {
    label: 'org:<acme>:territory:Nowhere (no publishers)',
    topic: `org:${ACME}:territory:Nowhere`,
    read: ['acmeOwner', 'acmeAgent'],
    presence: NONE,
    broadcast: NONE,
  },
  // The record topic is read-only for everyone: only the database writes publisher_update.
  {
    label: 'record <sunriseBooks, US_West>',
    topic: record(ACME, 'US_West', P.sunriseBooks.id),
    read: ACME_PEOPLE,
    presence: NONE,
    broadcast: NONE,
  },
  {
    label: 'collab <sunriseBooks, US_West>',
    topic: collab(ACME, 'US_West', P.sunriseBooks.id),
    read: ACME_PEOPLE,
    presence: ACME_HUMANS,
    broadcast: ACME_HUMANS,
  },
  // A topic naming a territory the record is not in is nobody's, not even the owner's.
  {
    label: 'record <sunriseBooks> under US_East (not its territory)',
    topic: record(ACME, 'US_East', P.sunriseBooks.id),
    ...none(),
  },
  {
    label: 'collab <sunriseBooks> under US_East (not its territory)',
    topic: collab(ACME, 'US_East', P.sunriseBooks.id),
    ...none(),
  },
  {
    label: 'record <sunriseBooks> unassigned (it has a territory)',
    topic: record(ACME, null, P.sunriseBooks.id),
    ...none(),
  },
  {
    label: 'record <harborHouse, US_East>',
    topic: record(ACME, 'US_East', P.harborHouse.id),
    read: ['acmeOwner', 'acmeAgent'],
    presence: NONE,
    broadcast: NONE,
  },
  {
    label: 'collab <harborHouse, US_East>',
    topic: collab(ACME, 'US_East', P.harborHouse.id),
    read: ['acmeOwner', 'acmeAgent'],
    presence: ['acmeOwner'],
    broadcast: ['acmeOwner'],
  },
  {
    label: "record <globexTomes> under Acme (Globex's publisher)",
    topic: record(ACME, 'EU_North', P.globexTomes.id),
    ...none(),
  },
  { label: 'record <missing>', topic: record(ACME, 'US_West', MISSING_UUID), ...none() },
  { label: 'user:<acmeOwner>', topic: `user:${U.acmeOwner.id}`, read: ['acmeOwner'], presence: NONE, broadcast: NONE },
  { label: 'user:<acmeWest>', topic: `user:${U.acmeWest.id}`, read: ['acmeWest'], presence: NONE, broadcast: NONE },
  {
    label: 'org:<globex>',
    topic: `org:${GLOBEX}`,
    read: ['globexMember'],
    presence: ['globexMember'],
    broadcast: NONE,
  },
  {
    label: 'org:<globex>:activity',
    topic: `org:${GLOBEX}:activity`,
    read: ['globexMember'],
    presence: NONE,
    broadcast: ['globexMember'],
  },
  {
    label: 'org:<globex>:territory:EU_North',
    topic: `org:${GLOBEX}:territory:EU_North`,
    read: ['globexMember'],
    presence: NONE,
    broadcast: NONE,
  },
  {
    label: 'record <globexTomes, EU_North>',
    topic: record(GLOBEX, 'EU_North', P.globexTomes.id),
    read: ['globexMember'],
    presence: NONE,
    broadcast: NONE,
  },
  {
    label: 'collab <globexTomes, EU_North>',
    topic: collab(GLOBEX, 'EU_North', P.globexTomes.id),
    read: ['globexMember'],
    presence: ['globexMember'],
    broadcast: ['globexMember'],
  },
  malformed('malformed: user:<ACMEWEST> (uppercase uuid)', `user:${U.acmeWest.id.toUpperCase()}`),
  malformed(
    'malformed: record <SUNRISEBOOKS> (uppercase uuid)',
    record(ACME, 'US_West', P.sunriseBooks.id.toUpperCase()),
  ),
  malformed(
    'malformed: org:<acme>:publisher:<sunriseBooks> (the old, territory-less topic)',
    `org:${ACME}:publisher:${P.sunriseBooks.id}`,
  ),
  malformed('malformed: realtime:org:<acme> (wire prefix)', `realtime:org:${ACME}`),
  malformed('malformed: org:not-a-uuid', 'org:not-a-uuid'),
  malformed('malformed: org:<acme>:unknown', `org:${ACME}:unknown`),
  malformed('malformed: org:<acme>:activity:extra', `org:${ACME}:activity:extra`),
  malformed('malformed: org:<acme>:territory:US West (space)', `org:${ACME}:territory:US West`),
  malformed('malformed: org:<acme>:territory:<65 chars>', `org:${ACME}:territory:${'x'.repeat(65)}`),
  malformed('malformed: org:<acme>:territory: (empty)', `org:${ACME}:territory:`),
  malformed("malformed: org:<acme>:territory:US_West' or true --", `org:${ACME}:territory:US_West' or true --`),
  malformed('malformed: record <not-a-uuid>', `org:${ACME}:territory:US_West:publisher:not-a-uuid`),
  malformed('malformed: collab <sunriseBooks>:extra', `${collab(ACME, 'US_West', P.sunriseBooks.id)}:extra`),
  malformed('malformed: user:<acmeWest>:extra', `user:${U.acmeWest.id}:extra`),
  malformed('malformed: (empty topic)', ''),
];

const verdict = (allowed: boolean): Outcome => (allowed ? 'allowed' : 'refused');

describe.each(BACKENDS)('table RLS on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  describe.each(VISIBILITY)('select from $table', ({ table, column, visible }) => {
    it.each(CALLERS)(`as %s`, async (caller) => {
      const rows = await asCaller(
        t.db,
        caller,
        async (tx) => (await tx.query<{ v: string }>(`select ${column}::text as v from public.${table}`)).rows,
      );
      expect(rows.map((r) => r.v).sort()).toEqual([...visible[caller]].sort());
    });
  });

  describe.each(WRITES)('$name', ({ sql, params, allowed }) => {
    it.each(CALLERS)(`by %s`, async (caller) => {
      expect(await attempt(t.db, caller, sql, params)).toBe(verdict(allowed.includes(caller)));
    });
  });

  it("seq is the trigger's: a hand-set seq is overridden", async () => {
    const row = await asCaller(t.db, 'acmeAgent', async (tx) => {
      await tx.query(`update public.agent_runs set seq = 99, progress = 41 where id = $1`, [
        AGENT_RUNS.acmeEnrichment.id,
      ]);
      return (await tx.query(`select seq from public.agent_runs where id = $1`, [AGENT_RUNS.acmeEnrichment.id]))
        .rows[0];
    });
    expect(row).toEqual({ seq: 2 });
  });

  it('a team update posted as somebody else is refused', async () => {
    expect(await attempt(t.db, 'acmeWest', teamUpdateInsert, [ACME, U.acmeOwner.id, null])).toBe('refused');
  });

  it('marking a notification read changes read_at only', async () => {
    const row = await asCaller(t.db, 'acmeOwner', async (tx) => {
      await tx.query(`update public.notifications set read_at = now() where id = $1`, [N.acmeOwnerPersonal]);
      return (
        await tx.query<{ read: boolean; message: string }>(
          `select read_at is not null as read, message from public.notifications where id = $1`,
          [N.acmeOwnerPersonal],
        )
      ).rows[0];
    });
    expect(row).toEqual({ read: true, message: 'Scoring finished: 4 publishers scored' });
  });

  it('the RLS helpers are not callable by anon through the public schema', async () => {
    const rows = await asCaller(
      t.db,
      'anon',
      async (tx) => (await tx.query<{ ok: boolean }>(`select private.is_member($1) as ok`, [ACME])).rows,
    );
    expect(rows).toEqual([{ ok: false }]);
    const { rows: exposed } = await t.db.query(`select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.proname in ('is_member', 'can_read_topic', 'can_write_topic')`);
    expect(exposed).toEqual([]);
  });
});

describe.each(BACKENDS)('realtime.messages policies on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  describe.each(TOPICS)('$label', ({ topic, read, presence, broadcast }) => {
    it.each(CALLERS)(`read by %s`, async (caller) => {
      const result = await checkRealtimeRead(t.db, { claims: claimsFor(caller), topic }, { presence: true });
      const expected = read.includes(caller);
      // A policy that raises would also refuse, but must not happen (§6.2: it logs RlsPolicyError).
      expect(result).toEqual({ broadcast: expected, presence: expected });
    });
    it.each(CALLERS)(`presence write by %s`, async (caller) => {
      const result = await checkRealtimeWrite(t.db, { claims: claimsFor(caller), topic }, ['presence']);
      expect(result).toEqual({ broadcast: false, presence: presence.includes(caller) });
    });
    it.each(CALLERS)(`broadcast write by %s`, async (caller) => {
      const result = await checkRealtimeWrite(t.db, { claims: claimsFor(caller), topic }, ['broadcast']);
      expect(result).toEqual({ broadcast: broadcast.includes(caller), presence: false });
    });
  });

  it('a reader of one topic cannot select messages stored for another topic', async () => {
    await t.db.query(`select realtime.send('{"x":1}'::jsonb, 'probe', $1)`, [`user:${U.acmeOwner.id}`]);
    const topics = await asCaller(t.db, 'acmeWest', async (tx) => {
      await tx.query(`select set_config('realtime.topic', $1, true)`, [`user:${U.acmeWest.id}`]);
      return (await tx.query<{ topic: string }>(`select distinct topic from realtime.messages`)).rows.map(
        (r) => r.topic,
      );
    });
    // The seed's @mention of west is on her own topic; the owner's message stays hidden.
    expect(topics).toEqual([`user:${U.acmeWest.id}`]);
  });

  it('private.parse_topic agrees with the contract parseTopic on bare topics', async () => {
    const samples = TOPICS.map((c) => c.topic).filter((topic) => !topic.startsWith('realtime:'));
    const { rows } = await t.db.query<{ topic: string; parsed: Record<string, string | null> | null }>(
      `select s.topic, to_jsonb(private.parse_topic(s.topic)) as parsed from unnest($1::text[]) as s (topic)`,
      [samples],
    );
    for (const { topic, parsed } of rows) {
      const expected = parseTopic(topic);
      if (expected === null) {
        expect(parsed, topic).toBeNull();
        continue;
      }
      const { kind, ...ids } = expected;
      const fields: Record<string, string> = {
        org_id: 'orgId',
        territory: 'territory',
        publisher_id: 'publisherId',
        user_id: 'userId',
      };
      const sqlIds = Object.fromEntries(
        Object.entries(parsed ?? {})
          // A null the contract also names (an unassigned record's territory) is compared too.
          .filter(([key, value]) => key !== 'kind' && (value !== null || (fields[key] ?? key) in ids))
          .map(([key, value]) => [fields[key] ?? key, value]),
      );
      expect({ kind: parsed?.kind, ...sqlIds }, topic).toEqual({ kind, ...ids });
    }
  });
});
