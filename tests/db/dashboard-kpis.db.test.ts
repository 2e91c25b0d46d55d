/**
 * public.dashboard_kpis: the KPI figures agree with a recount of the rows each caller may read,
 * move with the changes that move them, and show nobody what RLS hides from them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../local-stack/db/index.ts';
import { AGENT_RUNS, CAMPAIGNS, ORGS, PUBLISHERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { asCaller, type Caller } from './_as-user.ts';

interface Kpis {
  organization_id: string;
  publishers_total: number;
  publishers_by_status: Record<string, number>;
  runs_queued: number;
  runs_processing: number;
  campaigns_active: number;
  impressions: number;
  clicks: number;
  conversions: number;
  spend: number;
}

const KPIS = `select organization_id, publishers_total, publishers_by_status, runs_queued, runs_processing,
  campaigns_active, impressions::float8 as impressions, clicks::float8 as clicks, conversions::float8 as conversions,
  spend::float8 as spend from public.dashboard_kpis order by organization_id`;

/** The same figures counted from the base tables, as the caller (RLS decides what is counted). */
async function recount(tx: Queryable): Promise<Kpis[]> {
  const orgs = (await tx.query<{ id: string }>(`select id from public.organizations order by id`)).rows;
  const out: Kpis[] = [];
  for (const { id } of orgs) {
    const statuses = (
      await tx.query<{ status: string; n: number }>(
        `select status, count(*)::int as n from public.publishers where organization_id = $1 group by status`,
        [id],
      )
    ).rows;
    // A processing run whose lease ran out is stalled: not running (the seed's has a 60 s lease).
    const runs = (
      await tx.query<{ status: string; stalled: boolean }>(
        `select status, coalesce(lease_expires_at <= now(), false) as stalled from public.agent_runs where organization_id = $1`,
        [id],
      )
    ).rows;
    const campaigns = (
      await tx.query<{ id: string; status: string }>(
        `select id, status from public.campaigns where organization_id = $1`,
        [id],
      )
    ).rows;
    // Totals from the points themselves, not from the campaigns' running totals.
    const sums = (
      await tx.query<{ i: number; c: number; v: number; s: number }>(
        `select coalesce(sum(impressions), 0)::float8 as i, coalesce(sum(clicks), 0)::float8 as c,
                coalesce(sum(conversions), 0)::float8 as v, coalesce(sum(spend), 0)::float8 as s
           from public.campaign_metrics where organization_id = $1`,
        [id],
      )
    ).rows[0]!;
    out.push({
      organization_id: id,
      publishers_total: statuses.reduce((n, s) => n + s.n, 0),
      publishers_by_status: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
      runs_queued: runs.filter((r) => r.status === 'queued').length,
      runs_processing: runs.filter((r) => r.status === 'processing' && !r.stalled).length,
      campaigns_active: campaigns.filter((c) => c.status === 'active').length,
      impressions: sums.i,
      clicks: sums.c,
      conversions: sums.v,
      spend: sums.s,
    });
  }
  return out;
}

describe.each(BACKENDS)('dashboard_kpis on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
    // More to count than the seed: runs in each state, points from an agent, a paused campaign. The
    // seed's processing run gets an hour's lease, so that it is running whenever the file runs.
    await t.db.exec(`
      update public.agent_runs set lease_seconds = 3600 where id = '${AGENT_RUNS.acmeEnrichment.id}';
      insert into public.agent_runs (organization_id, agent_id, status) values
        ('${ORGS.acme.id}', 'kpi-a', 'queued'), ('${ORGS.acme.id}', 'kpi-b', 'queued'), ('${ORGS.acme.id}', 'kpi-c', 'error');
      insert into public.campaign_metrics (campaign_id, impressions, clicks, conversions, spend)
        select '${CAMPAIGNS.harborRetail.id}', n * 10, n, n / 5, n * 1.25 from generate_series(1, 40) as n;
      insert into public.campaigns (publisher_id, name, status) values ('${PUBLISHERS.pacificPress.id}', 'Paused one', 'paused');
    `);
  });
  afterAll(() => t?.dispose());

  const kpisOf = (caller: Caller) => asCaller(t.db, caller, async (tx) => (await tx.query<Kpis>(KPIS)).rows);

  it.each(['acmeOwner', 'acmeWest', 'acmeAgent', 'globexMember'] as const)(
    'agree with a recount for %s',
    async (caller) => {
      const { kpis, counted } = await asCaller(t.db, caller, async (tx) => ({
        kpis: (await tx.query<Kpis>(KPIS)).rows,
        counted: await recount(tx),
      }));
      expect(kpis).toEqual(counted);
      expect(kpis.length).toBe(1);
    },
  );

  it('hide what RLS hides: West counts no US_East publisher or campaign, Globex nothing of Acme, anon may not ask', async () => {
    const [owner] = await kpisOf('acmeOwner');
    const [west] = await kpisOf('acmeWest');
    const [globex] = await kpisOf('globexMember');
    expect(owner).toMatchObject({
      organization_id: ORGS.acme.id,
      publishers_total: 4,
      runs_queued: 2,
      runs_processing: 1,
    });
    expect(west).toMatchObject({
      organization_id: ORGS.acme.id,
      publishers_total: 2,
      publishers_by_status: { active: 1, prospect: 1 },
      campaigns_active: 1,
    });
    expect(west!.impressions).toBeLessThan(owner!.impressions);
    expect(globex).toMatchObject({ organization_id: ORGS.globex.id, publishers_total: 1, runs_queued: 0 });
    await expect(kpisOf('anon')).rejects.toMatchObject({ code: '42501' });
  });

  it('move with the changes that move them, in the writing transaction', async () => {
    const [before] = await kpisOf('acmeWest');
    const after = await asCaller(t.db, 'acmeWest', async (tx) => {
      await tx.query(`update public.publishers set status = 'active' where id = $1`, [PUBLISHERS.pacificPress.id]);
      return (await tx.query<Kpis>(KPIS)).rows[0];
    });
    expect(after!.publishers_by_status).toEqual({ active: 2 });
    expect(after!.publishers_total).toBe(before!.publishers_total);
  });
});
