/**
 * The activity stream, campaigns and KPIs from the attacker's side: another organisation, another
 * territory, another role, forged subjects and figures, oversized input. Each case is a request a
 * signed-in client can make through PostgREST (the caller's claims, RLS on), answered with the
 * database's exact refusal or with nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPostgresError, type Queryable } from '../../local-stack/db/index.ts';
import { CAMPAIGNS, ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { asCaller, type Caller } from '../db/_as-user.ts';

const ACME = ORGS.acme.id;
const HARBOR = PUBLISHERS.harborHouse.id;
const SPRING = CAMPAIGNS.sunriseSpring.id;
const RETAIL = CAMPAIGNS.harborRetail.id;

let t: TestDatabase;

async function refusal(caller: Caller, sql: string, params: readonly unknown[] = []): Promise<string> {
  try {
    await asCaller(t.db, caller, (tx) => tx.query(sql, params));
    return 'allowed';
  } catch (error) {
    if (isPostgresError(error)) return `${error.code} ${error.message}`;
    throw error;
  }
}

const rowsOf = <T extends Record<string, unknown>>(caller: Caller, sql: string, params: readonly unknown[] = []) =>
  asCaller(t.db, caller, async (tx: Queryable) => (await tx.query<T>(sql, params)).rows);

describe.each(BACKENDS)('activity, campaigns and KPIs under attack (%s)', (backend) => {
  beforeAll(async () => {
    t = await createTestDatabase(backend);
    // Something of each territory to hide: a US_East item about Harbor House, an unassigned publisher's item.
    await t.db.exec(`
      update public.publishers set status = 'east_secret' where id = '${HARBOR}';
      update public.publishers set territory = null, status = 'unassigned_secret' where id = '${PUBLISHERS.pacificPress.id}';
    `);
  });
  afterAll(() => t?.dispose());

  describe('another organisation', () => {
    it("reads none of Acme's items, campaigns, points or KPIs", async () => {
      expect(await rowsOf('globexMember', `select id from public.activity_page($1, null, null, 200)`, [ACME])).toEqual(
        [],
      );
      expect(
        await rowsOf('globexMember', `select id from public.campaigns where organization_id = $1`, [ACME]),
      ).toEqual([]);
      expect(
        await rowsOf('globexMember', `select id from public.campaign_metrics where campaign_id = $1`, [SPRING]),
      ).toEqual([]);
      expect(
        await rowsOf('globexMember', `select * from public.dashboard_kpis where organization_id = $1`, [ACME]),
      ).toEqual([]);
    });

    it('writes no point into an Acme campaign and posts nothing into Acme', async () => {
      expect(
        await refusal('globexMember', `insert into public.campaign_metrics (campaign_id, impressions) values ($1, 1)`, [
          SPRING,
        ]),
      ).toMatch(/^42501 new row violates row-level security policy/);
      expect(
        await refusal(
          'globexMember',
          `insert into public.team_updates (organization_id, update_type, message, user_id) values ($1, 'note', 'x', $2)`,
          [ACME, USERS.globexMember.id],
        ),
      ).toMatch(/^42501/);
    });
  });

  describe('another territory', () => {
    it('West reads no US_East item and no item of a publisher without a territory', async () => {
      const west = await rowsOf<{ message: string }>(
        'acmeWest',
        `select message from public.activity_page($1, null, null, 200)`,
        [ACME],
      );
      expect(west.filter((r) => /east_secret|unassigned_secret/.test(r.message))).toEqual([]);
      const owner = await rowsOf<{ message: string }>(
        'acmeOwner',
        `select message from public.activity_page($1, null, null, 200)`,
        [ACME],
      );
      expect(owner.filter((r) => /east_secret|unassigned_secret/.test(r.message))).toHaveLength(2);
    });

    it('West cannot attach an item to a US_East publisher, so as to read it or to lure others', async () => {
      expect(
        await refusal(
          'acmeWest',
          `insert into public.team_updates (organization_id, update_type, message, user_id, publisher_id) values ($1, 'note', 'x', $2, $3)`,
          [ACME, USERS.acmeWest.id, HARBOR],
        ),
      ).toMatch(/^42501 new row violates row-level security policy/);
    });

    it("West's KPIs and campaigns leave out US_East entirely", async () => {
      const [west] = await rowsOf<{ publishers_by_status: Record<string, number> }>(
        'acmeWest',
        `select publishers_by_status from public.dashboard_kpis`,
      );
      expect(Object.keys(west!.publishers_by_status)).not.toContain('east_secret');
      expect(await rowsOf('acmeWest', `select id from public.campaigns where id = $1`, [RETAIL])).toEqual([]);
      expect(
        await rowsOf('acmeWest', `select id from public.campaign_metrics where campaign_id = $1`, [RETAIL]),
      ).toEqual([]);
    });

    it('a mention in a US_East item notifies nobody who may not read it', async () => {
      const notified = await asCaller(t.db, 'acmeOwner', async (tx) => {
        await tx.query(
          `insert into public.team_updates (organization_id, update_type, message, user_id, territory, details)
           values ($1, 'note', 'East only: renewal terms', $2, 'US_East', $3)`,
          [ACME, USERS.acmeOwner.id, JSON.stringify({ mentions: [USERS.acmeWest.id, USERS.acmeOwner.id] })],
        );
        await tx.query('reset role');
        return (
          await tx.query<{ user_id: string }>(
            `select user_id from public.notifications where message like '%East only: renewal terms%'`,
          )
        ).rows.map((r) => r.user_id);
      });
      expect(notified).toEqual([USERS.acmeOwner.id]);
    });
  });

  describe('another role', () => {
    it('a member records no point; an agent posts no update and creates no campaign', async () => {
      expect(
        await refusal('acmeWest', `insert into public.campaign_metrics (campaign_id, impressions) values ($1, 1)`, [
          SPRING,
        ]),
      ).toMatch(/^42501/);
      expect(
        await refusal(
          'acmeAgent',
          `insert into public.team_updates (organization_id, update_type, message, user_id) values ($1, 'note', 'x', $2)`,
          [ACME, USERS.acmeAgent.id],
        ),
      ).toMatch(/^42501/);
      expect(
        await refusal('acmeAgent', `insert into public.campaigns (publisher_id, name) values ($1, 'x')`, [
          PUBLISHERS.sunriseBooks.id,
        ]),
      ).toMatch(/^42501/);
    });

    it('nobody forges totals, a point, its recorder or an item written by the database', async () => {
      for (const [caller, sql] of [
        ['acmeOwner', `update public.campaigns set clicks = 999999 where id = '${SPRING}'`],
        ['acmeAgent', `update public.campaign_metrics set clicks = 999999 where campaign_id = '${SPRING}'`],
        [
          'acmeAgent',
          `insert into public.campaign_metrics (campaign_id, recorded_by) values ('${SPRING}', '${USERS.acmeOwner.id}')`,
        ],
        ['acmeOwner', `update public.team_updates set message = 'rewritten'`],
        ['acmeOwner', `delete from public.team_updates`],
        ['anon', `select * from public.activity_page('${ACME}')`],
      ] as const) {
        expect(await refusal(caller, sql), `${caller}: ${sql}`).toMatch(/^42501 permission denied/);
      }
    });
  });

  describe('oversized and malformed input', () => {
    it('a page is at most 200 items, whatever is asked', async () => {
      const rows = await rowsOf('acmeOwner', `select id from public.activity_page($1, null, null, 2147483647)`, [ACME]);
      expect(rows.length).toBeLessThanOrEqual(200);
    });

    it('refuses an oversized message, figures past the limits, a key past 100 characters', async () => {
      expect(
        await refusal(
          'acmeWest',
          `insert into public.team_updates (organization_id, update_type, message, user_id) values ($1, 'note', $2, $3)`,
          [ACME, 'x'.repeat(2001), USERS.acmeWest.id],
        ),
      ).toMatch(/^23514/);
      expect(
        await refusal('acmeAgent', `insert into public.campaign_metrics (campaign_id, impressions) values ($1, -1)`, [
          SPRING,
        ]),
      ).toMatch(/^23514/);
      expect(
        await refusal('acmeAgent', `insert into public.campaign_metrics (campaign_id, spend) values ($1, 1e12)`, [
          SPRING,
        ]),
      ).toMatch(/^(23514|22003)/);
      expect(
        await refusal('acmeOwner', `select public.save_publisher($1, 1, $2::jsonb)`, [
          PUBLISHERS.sunriseBooks.id,
          JSON.stringify({ [`custom_fields.${'k'.repeat(101)}`]: 1 }),
        ]),
      ).toBe('22023 a custom field key is 1 to 100 characters, got 101');
    });
  });
});
