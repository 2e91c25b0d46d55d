/**
 * Campaigns and their data points: agent accounts (and owners/admins) record points under RLS,
 * each point adds to its campaign's totals and is broadcast as a contract `campaign_metric` on
 * the publisher's territory topic in the same transaction; who reads a campaign is who reads its
 * publisher.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertMessage, publisherRecordTopic } from '../../src/contract/index.ts';
import { isPostgresError } from '../../local-stack/db/index.ts';
import { CAMPAIGNS, ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { asCaller, captureMessages, type Caller } from './_as-user.ts';

const ACME = ORGS.acme.id;
const SPRING = CAMPAIGNS.sunriseSpring;
const RETAIL = CAMPAIGNS.harborRetail;
const SCIENCE = CAMPAIGNS.globexScience;
const westTopic = `org:${ACME}:territory:US_West`;

const RECORD = `insert into public.campaign_metrics (campaign_id, impressions, clicks, conversions, spend)
  values ($1, 1000, 40, 2, 125.50) returning id`;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (isPostgresError(error)) return error.code ?? 'unknown';
    throw error;
  }
}

describe.each(BACKENDS)('campaigns on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  it('an agent records a point: the totals move and one campaign_metric goes to the territory topic', async () => {
    const { result, messages } = await captureMessages(t.db, 'acmeAgent', async (tx) => {
      const { rows } = await tx.query<{ id: string }>(RECORD, [SPRING.id]);
      const totals = await tx.query(
        `select impressions, clicks, conversions, spend::float8 as spend, points from public.campaigns where id = $1`,
        [SPRING.id],
      );
      const point = await tx.query(
        `select organization_id, publisher_id, recorded_by from public.campaign_metrics where id = $1`,
        [rows[0]!.id],
      );
      return { id: rows[0]!.id, totals: totals.rows[0], point: point.rows[0] };
    });
    const seeded = (
      await t.db.query(
        `select impressions, clicks, conversions, spend::float8 as spend, points from public.campaigns where id = $1`,
        [SPRING.id],
      )
    ).rows[0] as Record<string, number>;
    expect(result.totals).toEqual({
      impressions: Number(seeded.impressions) + 1000,
      clicks: Number(seeded.clicks) + 40,
      conversions: Number(seeded.conversions) + 2,
      spend: Number(seeded.spend) + 125.5,
      points: Number(seeded.points) + 1,
    });
    // Organisation and publisher come from the campaign, the recorder from the token.
    expect(result.point).toEqual({
      organization_id: ACME,
      publisher_id: SPRING.publisherId,
      recorded_by: USERS.acmeAgent.id,
    });
    expect(messages.map((m) => [m.topic, m.event])).toEqual([[westTopic, 'campaign_metric']]);
    const message = assertMessage(messages[0]!.payload);
    expect(message).toMatchObject({
      id: `${SPRING.id}:${result.id}`,
      type: 'campaign_metric',
      data: {
        campaignId: SPRING.id,
        publisherId: SPRING.publisherId,
        impressions: 1000,
        clicks: 40,
        conversions: 2,
        spend: 125.5,
        // The campaign's totals with this point counted, as the row holds them after the insert.
        totals: result.totals,
      },
    });
  });

  it('a point of a publisher without a territory goes to its record topic', async () => {
    const { messages } = await captureMessages(t.db, null, async (tx) => {
      await tx.query(`update public.publishers set territory = null where id = $1`, [SPRING.publisherId]);
      await tx.query(RECORD, [SPRING.id]);
    });
    expect(messages.filter((m) => m.event === 'campaign_metric').map((m) => m.topic)).toEqual([
      publisherRecordTopic(ACME, SPRING.publisherId, null),
    ]);
  });

  it('who may record a point: agents and owners of the organisation, not members, not other organisations', async () => {
    const outcomes: Record<string, string> = {};
    for (const caller of ['acmeAgent', 'acmeOwner', 'acmeWest', 'globexMember', 'anon'] as const) {
      outcomes[caller] = await codeOf(asCaller(t.db, caller, (tx) => tx.query(RECORD, [SPRING.id])));
    }
    expect(outcomes).toEqual({
      acmeAgent: 'ok',
      acmeOwner: 'ok',
      acmeWest: '42501',
      globexMember: '42501',
      anon: '42501',
    });
    // An unknown campaign names itself.
    expect(await codeOf(asCaller(t.db, 'acmeAgent', (tx) => tx.query(RECORD, [crypto.randomUUID()])))).toBe('23503');
  });

  it("nobody writes totals, a point's organisation or its recorder; points are never changed or removed", async () => {
    const attempts = [
      [`update public.campaigns set impressions = 0 where id = $1`, [SPRING.id]],
      [`update public.campaign_metrics set impressions = 0 where campaign_id = $1`, [SPRING.id]],
      [`delete from public.campaign_metrics where campaign_id = $1`, [SPRING.id]],
      [
        `insert into public.campaign_metrics (campaign_id, organization_id, impressions) values ($1, $2, 1)`,
        [SPRING.id, ORGS.globex.id],
      ],
      [
        `insert into public.campaign_metrics (campaign_id, recorded_by, impressions) values ($1, $2, 1)`,
        [SPRING.id, USERS.acmeOwner.id],
      ],
    ] as const;
    for (const [sql, params] of attempts) {
      expect(await codeOf(asCaller(t.db, 'acmeOwner', (tx) => tx.query(sql, params))), sql).toBe('42501');
    }
  });

  it("a campaign is filed under its publisher's organisation and never moves to another publisher", async () => {
    const created = await asCaller(t.db, 'acmeWest', async (tx) => {
      const { rows } = await tx.query<{ organization_id: string; created_by: string }>(
        `insert into public.campaigns (publisher_id, name) values ($1, 'Autumn list') returning organization_id, created_by`,
        [PUBLISHERS.pacificPress.id],
      );
      return rows[0];
    });
    expect(created).toEqual({ organization_id: ACME, created_by: USERS.acmeWest.id });
    // West may not add one to a US_East publisher; Globex not to an Acme one.
    for (const caller of ['acmeWest', 'globexMember'] as const) {
      expect(
        await codeOf(
          asCaller(t.db, caller, (tx) =>
            tx.query(`insert into public.campaigns (publisher_id, name) values ($1, 'x')`, [PUBLISHERS.harborHouse.id]),
          ),
        ),
      ).toBe('42501');
    }
    // Not even the migration role moves one (its points name the publisher too).
    const move = t.db.transaction(
      (tx) =>
        tx.query(`update public.campaigns set publisher_id = $2 where id = $1`, [
          SPRING.id,
          PUBLISHERS.pacificPress.id,
        ]),
      { rollback: true },
    );
    expect(await codeOf(move)).toBe('42501');
  });

  it('reads follow the publisher: West sees US_West campaigns and points, Globex only its own, anon nothing', async () => {
    const read = (caller: Caller) =>
      asCaller(t.db, caller, async (tx) => ({
        campaigns: (await tx.query<{ id: string }>(`select id from public.campaigns order by id`)).rows.map(
          (r) => r.id,
        ),
        points: (
          await tx.query<{ campaign_id: string }>(
            `select distinct campaign_id from public.campaign_metrics order by campaign_id`,
          )
        ).rows.map((r) => r.campaign_id),
      }));
    expect(await read('acmeOwner')).toEqual({ campaigns: [SPRING.id, RETAIL.id], points: [SPRING.id, RETAIL.id] });
    expect(await read('acmeWest')).toEqual({ campaigns: [SPRING.id], points: [SPRING.id] });
    expect(await read('globexMember')).toEqual({ campaigns: [SCIENCE.id], points: [SCIENCE.id] });
    expect(await read('anon')).toEqual({ campaigns: [], points: [] });
  });
});
