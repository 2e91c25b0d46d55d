/**
 * Identity the database authors: activity (report_activity / organization_activity), presence
 * tickets (issue_presence_ticket / verify_presence_tickets) and drafts (share_draft). Each names
 * its person from the caller's token, never from a parameter, and nothing about a publisher
 * reaches someone who may not read it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  orgTopic,
  publisherCollabTopic,
  publisherRecordTopic,
  territoryTopic,
  userSnapshotMessageSchema,
} from '../../src/contract/index.ts';
import { isPostgresError, withClaims, type Queryable } from '../../local-stack/db/index.ts';
import { ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { asCaller, captureMessages, type Caller } from './_as-user.ts';

const ACME = ORGS.acme.id;
const { sunriseBooks: SUNRISE, harborHouse: HARBOR } = PUBLISHERS;
const U = USERS;

async function report(tx: Queryable, args: Record<string, unknown>): Promise<unknown> {
  const { rows } = await tx.query<{ m: unknown }>(
    `select public.report_activity(organization_id => $1, action => $2, status => coalesce($3, 'online'),
            territory => $4, publisher_id => $5, user_id => $6) as m`,
    [
      ACME,
      args.action ?? 'Working',
      args.status ?? null,
      args.territory ?? null,
      args.publisherId ?? null,
      args.userId ?? null,
    ],
  );
  return rows[0]!.m;
}

async function sqlState(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (error) {
    if (isPostgresError(error)) return `${error.code} ${error.message}`;
    throw error;
  }
}

/** What `reader` reads of the organisation's activity after the owner's `writes` (rolled back). */
async function activityAs(t: TestDatabase, reader: Exclude<Caller, 'anon'>, writes: (tx: Queryable) => Promise<void>) {
  return asCaller(t.db, 'acmeOwner', async (tx) => {
    await writes(tx);
    await tx.query(`select set_config('request.jwt.claims', $1, true), set_config('request.jwt.claim.sub', $2, true)`, [
      JSON.stringify({ sub: U[reader].id, role: 'authenticated' }),
      U[reader].id,
    ]);
    const { rows } = await tx.query<{
      user_id: string;
      action: string;
      territory: string | null;
      publisher_id: string | null;
    }>('select user_id, action, territory, publisher_id from public.organization_activity($1)', [ACME]);
    return rows;
  });
}

describe.each(BACKENDS)('database-authored identity on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  describe('report_activity', () => {
    it('broadcasts org-wide activity on org:<org> as the caller, with a "<org>:<user>:<seq>" id', async () => {
      const { result, messages } = await captureMessages(t.db, 'acmeWest', (tx) =>
        report(tx, { action: 'Viewing the team dashboard' }),
      );
      expect(messages.map((m) => [m.topic, m.event])).toEqual([[orgTopic(ACME), 'user_snapshot']]);
      const message = userSnapshotMessageSchema.parse(messages[0]!.payload);
      expect(message).toMatchObject({
        id: `${ACME}:${U.acmeWest.id}:1`,
        data: { userId: U.acmeWest.id, activity: { action: 'Viewing the team dashboard', status: 'online' } },
      });
      expect(result).toEqual(messages[0]!.payload);
    });

    it("scopes activity about a publisher to its territory: the full text on that territory's topic, only a status on org:<org>", async () => {
      const { messages } = await captureMessages(t.db, 'acmeOwner', (tx) =>
        report(tx, { action: 'Viewing Harbor House', publisherId: HARBOR.id, territory: 'US_West' }),
      );
      expect(messages.map((m) => [m.topic, m.payload])).toEqual([
        [
          orgTopic(ACME),
          expect.objectContaining({
            id: `${ACME}:${U.acmeOwner.id}:1:org`,
            data: { userId: U.acmeOwner.id, activity: { action: '', status: 'online' } },
          }),
        ],
        [
          territoryTopic(ACME, 'US_East'),
          expect.objectContaining({
            id: `${ACME}:${U.acmeOwner.id}:1`,
            data: {
              userId: U.acmeOwner.id,
              activity: {
                action: 'Viewing Harbor House',
                status: 'online',
                territory: 'US_East',
                publisherId: HARBOR.id,
              },
            },
          }),
        ],
      ]);
    });

    it('organization_activity blanks what the reader may not see, and gives nothing to outsiders', async () => {
      const write = (tx: Queryable) =>
        report(tx, { action: 'Viewing Harbor House', publisherId: HARBOR.id }).then(() => undefined);
      expect(await activityAs(t, 'acmeWest', write)).toEqual([
        { user_id: U.acmeOwner.id, action: '', territory: null, publisher_id: null },
      ]);
      expect(await activityAs(t, 'acmeOwner', write)).toEqual([
        { user_id: U.acmeOwner.id, action: 'Viewing Harbor House', territory: 'US_East', publisher_id: HARBOR.id },
      ]);
      expect(await activityAs(t, 'globexMember', write)).toEqual([]);
    });

    it.each([
      ['another person', 'acmeWest', { userId: U.acmeOwner.id }, /^42501 you may only report your own activity/],
      ['an agent account', 'acmeAgent', {}, /^42501 only people of organization/],
      ['another organisation', 'globexMember', {}, /^42501 only people of organization/],
      ['a publisher of a territory not theirs', 'acmeWest', { publisherId: HARBOR.id }, /^42501 no publisher/],
      [
        'a territory not theirs',
        'acmeWest',
        { territory: 'US_East' },
        /^42501 you may not report activity in territory US_East/,
      ],
      ['an unknown status', 'acmeWest', { status: 'busy' }, /^22023 status must be online, away or offline/],
      ['an action of 201 characters', 'acmeWest', { action: 'x'.repeat(201) }, /^22023 action must be at most 200/],
    ] as const)('refuses %s', async (_name, caller, args, error) => {
      expect(await sqlState(() => asCaller(t.db, caller, (tx) => report(tx, args)))).toMatch(error);
    });

    it('lets the service role name the person it reports for, and nobody anonymous', async () => {
      const { messages } = await captureMessages(t.db, null, async (tx) => {
        await tx.query(
          `select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true)`,
        );
        return report(tx, { userId: U.acmeWest.id, action: 'Synced from the CRM' });
      });
      expect(messages[0]?.payload).toMatchObject({ data: { userId: U.acmeWest.id } });
      expect(await sqlState(() => asCaller(t.db, 'anon', (tx) => report(tx, {})))).toMatch(/^42501/);
    });

    it('stores a flood but broadcasts at most one report per 100 ms', async () => {
      const { result, messages } = await captureMessages(t.db, 'acmeWest', async (tx) => {
        for (let i = 0; i < 5; i++) await report(tx, { action: `burst ${i}` });
        const { rows } = await tx.query<{ action: string; seq: string }>(
          `select action, seq::text from public.organization_activity($1)`,
          [ACME],
        );
        return rows;
      });
      expect(result).toEqual([{ action: 'burst 4', seq: '5' }]);
      expect(messages.map((m) => (m.payload.data as { activity: { action: string } }).activity.action)).toEqual([
        'burst 0',
      ]);
    });
  });

  describe('presence tickets', () => {
    const issue = (tx: Queryable, topic: string, claim: string) =>
      tx
        .query<{
          t: { ticket: string; expiresAt: string };
        }>('select public.issue_presence_ticket($1, $2) as t', [topic, claim])
        .then((r) => r.rows[0]!.t);
    const verify = (tx: Queryable, topic: string, tickets: string[]) =>
      tx
        .query<{
          user_id: string;
          claim: string;
          expires_in: number;
        }>('select user_id, claim, expires_in from public.verify_presence_tickets($1, $2::uuid[])', [topic, tickets])
        .then((r) => r.rows);
    const collab = publisherCollabTopic(ACME, SUNRISE.id, 'US_West');

    it('vouches for exactly the person, topic and claim it was issued for, for two minutes', async () => {
      const rows = await withClaims(
        t.db,
        { role: 'authenticated', sub: U.acmeWest.id },
        async (tx) => {
          const online = await issue(tx, orgTopic(ACME), 'online');
          const editing = await issue(tx, collab, 'editing:name');
          return {
            org: await verify(tx, orgTopic(ACME), [online.ticket, editing.ticket]),
            collab: await verify(tx, collab, [online.ticket, editing.ticket]),
          };
        },
        { rollback: true },
      );
      expect(rows.org).toEqual([{ user_id: U.acmeWest.id, claim: 'online', expires_in: expect.any(Number) }]);
      expect(rows.org[0]!.expires_in).toBeGreaterThan(110);
      expect(rows.org[0]!.expires_in).toBeLessThanOrEqual(120);
      expect(rows.collab).toEqual([{ user_id: U.acmeWest.id, claim: 'editing:name', expires_in: expect.any(Number) }]);
    });

    it.each([
      [
        'a topic the caller may not be present on',
        'acmeWest',
        publisherCollabTopic(ACME, HARBOR.id, 'US_East'),
        'viewing',
        /^42501/,
      ],
      ["another organisation's topic", 'globexMember', orgTopic(ACME), 'online', /^42501/],
      ['an agent account on a collaboration topic', 'acmeAgent', collab, 'viewing', /^42501/],
      [
        'a claim that does not fit the topic',
        'acmeWest',
        orgTopic(ACME),
        'editing:name',
        /^22023 claim editing:name does not fit/,
      ],
      ['a malformed claim', 'acmeWest', collab, 'editing:<script>', /^22023/],
    ] as const)('refuses %s', async (_name, caller, topic, claim, error) => {
      expect(await sqlState(() => asCaller(t.db, caller, (tx) => issue(tx, topic, claim)))).toMatch(error);
    });

    it('verifies only for readers of the topic, and not at all once the ticket has expired', async () => {
      const state = await t.db.transaction(
        async (tx) => {
          await tx.query(
            `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
            [JSON.stringify({ role: 'authenticated', sub: U.acmeWest.id })],
          );
          const { ticket } = await issue(tx, orgTopic(ACME), 'online');
          await tx.query(`select set_config('request.jwt.claims', $1, true)`, [
            JSON.stringify({ role: 'authenticated', sub: U.globexMember.id }),
          ]);
          const outsider = await sqlState(() =>
            tx.query('savepoint s').then(() => verify(tx, orgTopic(ACME), [ticket])),
          );
          await tx.query('rollback to savepoint s');
          await tx.query(`select set_config('request.jwt.claims', $1, true)`, [
            JSON.stringify({ role: 'authenticated', sub: U.acmeOwner.id }),
          ]);
          const before = await verify(tx, orgTopic(ACME), [ticket]);
          await tx.query('reset role');
          await tx.query(
            `update private.presence_tickets set expires_at = now() - interval '1 second' where ticket = $1`,
            [ticket],
          );
          await tx.query(`set local role authenticated`);
          return { outsider, before, after: await verify(tx, orgTopic(ACME), [ticket]) };
        },
        { rollback: true },
      );
      expect(state.outsider).toMatch(/^42501 you may not read/);
      expect(state.before.map((r) => r.user_id)).toEqual([U.acmeWest.id]);
      expect(state.after).toEqual([]);
    });

    it("withdraws a member's tickets when their membership changes", async () => {
      const left = await t.db.transaction(
        async (tx) => {
          await tx.query(
            `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
            [JSON.stringify({ role: 'authenticated', sub: U.acmeWest.id })],
          );
          await issue(tx, orgTopic(ACME), 'online');
          await tx.query('reset role');
          await tx.query(`update public.organization_members set territories = '{US_East}' where user_id = $1`, [
            U.acmeWest.id,
          ]);
          const { rows } = await tx.query<{ n: number }>(
            'select count(*)::int as n from private.presence_tickets where user_id = $1',
            [U.acmeWest.id],
          );
          return rows[0]!.n;
        },
        { rollback: true },
      );
      expect(left).toBe(0);
    });
  });

  describe('share_draft', () => {
    const share = (tx: Queryable, publisherId: string, value: unknown) =>
      tx.query('select public.share_draft($1, $2, $3::jsonb)', [publisherId, 'name', JSON.stringify(value)]);

    it("broadcasts the caller's draft on the record topic, authored by the caller", async () => {
      const { messages } = await captureMessages(t.db, 'acmeWest', (tx) => share(tx, SUNRISE.id, 'Sunrise Bo'));
      expect(messages.map((m) => [m.topic, m.event, m.payload])).toEqual([
        [
          publisherRecordTopic(ACME, SUNRISE.id, 'US_West'),
          'draft',
          expect.objectContaining({
            publisherId: SUNRISE.id,
            field: 'name',
            value: 'Sunrise Bo',
            userId: U.acmeWest.id,
            timestamp: expect.any(String),
          }),
        ],
      ]);
    });

    it.each([
      ['a publisher the caller may not read', 'acmeWest', HARBOR.id, 'x', /^42501/],
      ['an agent account', 'acmeAgent', SUNRISE.id, 'x', /^42501/],
      ["another organisation's member", 'globexMember', SUNRISE.id, 'x', /^42501/],
      ['a value over 8 KB', 'acmeWest', SUNRISE.id, 'x'.repeat(9000), /^22023/],
    ] as const)('refuses %s', async (_name, caller, publisherId, value, error) => {
      expect(await sqlState(() => asCaller(t.db, caller, (tx) => share(tx, publisherId, value)))).toMatch(error);
    });
  });
});
