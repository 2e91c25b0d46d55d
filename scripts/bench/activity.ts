/**
 * `npm run bench -- activity`: what the activity stream and the KPI tiles cost the database, as
 * the dashboard asks for them (one transaction per request with the caller's claims, as PostgREST
 * runs it), each beside a baseline without RLS.
 *
 *   feed page     activity_page(org, cursor, 50) at 100 000 items: the first page and pages at
 *                 random depths (keyset cursors drawn from the table); as the owner (sees all)
 *                 and as the US_West member (a third of the items are US_East, hidden by RLS)
 *   KPI view      dashboard_kpis of an organisation with 10 000 publishers in 10 territories and
 *                 a campaign each; as the owner, and as the US_West member (one territory)
 *
 * PGlite in memory, and PostgreSQL when DATABASE_URL names an empty database.
 * Not a test: numbers vary with the machine; compare rows of one run, not runs of different days.
 */
import { performance } from 'node:perf_hooks';
import { openDatabase, prepareDatabase, withClaims, type Database } from '../../local-stack/db/index.ts';
import { ORGS, USERS } from '../../supabase/fixture.ts';
import { fixed, printTable, ratio, summarize } from './_stats.ts';

const FEED_ITEMS = 100_000;
const PAGE_SIZE = 50;
const FEED_SAMPLES = 200;
const KPI_PUBLISHERS = 10_000;
const KPI_SAMPLES = 100;
const ACME = ORGS.acme.id;

interface Row {
  readonly scenario: string;
  readonly variant: string;
  readonly samples: number[];
  readonly baseline: boolean;
}

const claimsOf = (user: (typeof USERS)[keyof typeof USERS]) => ({
  sub: user.id,
  role: 'authenticated',
  email: user.email,
  aud: 'authenticated',
});

/** Milliseconds of each call, one after the other. */
async function timed(count: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await call(i);
    samples.push(performance.now() - started);
  }
  return samples;
}

async function seedFeed(db: Database): Promise<void> {
  // A third US_West, a third US_East, a third org-wide; one in five about a publisher of its territory.
  await db.query(
    `insert into public.team_updates (organization_id, update_type, message, user_id, territory, publisher_id, created_at)
     select $1, 'publisher_update', 'bench item ' || n, $2,
            case n % 3 when 0 then 'US_West' when 1 then 'US_East' end,
            case when n % 5 = 0 then
              case n % 3 when 0 then 'c0000000-0000-4000-8000-000000000001'::uuid
                         when 1 then 'c0000000-0000-4000-8000-000000000003'::uuid end
            end,
            now() - interval '30 days' + n * interval '20 milliseconds'
       from generate_series(1, $3::int) as n`,
    [ACME, USERS.acmeOwner.id, FEED_ITEMS],
  );
  await db.exec('analyze public.team_updates');
}

async function feedRows(db: Database, backend: string): Promise<Row[]> {
  await seedFeed(db);
  const { rows: cursors } = await db.query<{ created_at: string; id: string }>(
    `select created_at::text as created_at, id from public.team_updates where organization_id = $1 order by random() limit $2`,
    [ACME, FEED_SAMPLES],
  );
  const page = (claims: Record<string, unknown> | null, i: number) => {
    const cursor = i % 4 === 0 ? null : cursors[i % cursors.length]!;
    const sql = `select id from public.activity_page($1, $2::timestamptz, $3::uuid, ${PAGE_SIZE})`;
    const params = [ACME, cursor?.created_at ?? null, cursor?.id ?? null];
    if (claims === null) return db.transaction((tx) => tx.query(sql, params), { rollback: true });
    return withClaims(db, { role: 'authenticated', ...claims }, (tx) => tx.query(sql, params), { rollback: true });
  };
  const scenario = `feed page of ${PAGE_SIZE} at ${FEED_ITEMS / 1000}k items (${backend})`;
  return [
    {
      scenario,
      variant: 'no RLS (migration role)',
      samples: await timed(FEED_SAMPLES, (i) => page(null, i)),
      baseline: true,
    },
    {
      scenario,
      variant: 'owner',
      samples: await timed(FEED_SAMPLES, (i) => page(claimsOf(USERS.acmeOwner), i)),
      baseline: false,
    },
    {
      scenario,
      variant: 'US_West member',
      samples: await timed(FEED_SAMPLES, (i) => page(claimsOf(USERS.acmeWest), i)),
      baseline: false,
    },
  ];
}

async function seedPublishers(db: Database): Promise<void> {
  await db.query(
    `insert into public.publishers (organization_id, name, status, territory)
     select $1, 'Bench publisher ' || n, (array['prospect', 'active', 'negotiating', 'paused'])[1 + n % 4],
            case when n % 10 = 0 then 'US_West' else 'Region_' || (n % 10) end
       from generate_series(1, $2::int) as n`,
    [ACME, KPI_PUBLISHERS],
  );
  await db.query(
    `insert into public.campaigns (organization_id, publisher_id, name, status, impressions, clicks, conversions, spend, points)
     select p.organization_id, p.id, 'Bench campaign', 'active', 1000, 40, 2, 25.5, 1
       from public.publishers p where p.name like 'Bench publisher %'`,
  );
  await db.exec('analyze public.publishers; analyze public.campaigns');
}

async function kpiRows(db: Database, backend: string): Promise<Row[]> {
  await seedPublishers(db);
  const sql = `select * from public.dashboard_kpis where organization_id = $1`;
  const asRole = (claims: Record<string, unknown> | null) => () =>
    claims === null
      ? db.transaction((tx) => tx.query(sql, [ACME]), { rollback: true })
      : withClaims(db, { role: 'authenticated', ...claims }, (tx) => tx.query(sql, [ACME]), { rollback: true });
  const scenario = `KPI view at ${KPI_PUBLISHERS / 1000}k publishers (${backend})`;
  return [
    { scenario, variant: 'no RLS (migration role)', samples: await timed(KPI_SAMPLES, asRole(null)), baseline: true },
    {
      scenario,
      variant: 'owner',
      samples: await timed(KPI_SAMPLES, asRole(claimsOf(USERS.acmeOwner))),
      baseline: false,
    },
    {
      scenario,
      variant: 'US_West member',
      samples: await timed(KPI_SAMPLES, asRole(claimsOf(USERS.acmeWest))),
      baseline: false,
    },
  ];
}

async function measure(url: string | undefined): Promise<Row[]> {
  const db = await openDatabase(url ? { url } : {});
  try {
    await prepareDatabase(db);
    const backend = url ? 'PostgreSQL' : 'PGlite';
    return [...(await feedRows(db, backend)), ...(await kpiRows(db, backend))];
  } finally {
    await db.close();
  }
}

export async function runTable(): Promise<void> {
  const postgresUrl = process.env.DATABASE_URL;
  console.log(`Setup: ${FEED_ITEMS} activity items (⅓ US_West, ⅓ US_East, ⅓ org-wide; ⅕ about a publisher),`);
  console.log(`       ${FEED_SAMPLES} pages (¼ first pages, the rest at random keyset cursors), one at a time;`);
  console.log(`       ${KPI_PUBLISHERS} publishers in 10 territories with a campaign each, ${KPI_SAMPLES} KPI reads;`);
  console.log(`       each call one transaction with the caller's claims. Node ${process.version},`);
  console.log(`       PGlite in memory${postgresUrl ? ' and PostgreSQL at DATABASE_URL' : ''}.\n`);
  const rows = [...(await measure(undefined)), ...(postgresUrl ? await measure(postgresUrl) : [])];
  printTable(
    ['scenario', 'variant', 'n', 'median ms', 'p99 ms', 'median ratio'],
    rows.map((row) => {
      const { n, p50, p99 } = summarize(row.samples);
      const base = rows.find((r) => r.scenario === row.scenario && r.baseline);
      return [
        row.scenario,
        row.variant + (row.baseline ? ' (baseline)' : ''),
        String(n),
        fixed(p50, 2),
        fixed(p99, 2),
        row.baseline ? '1.00' : ratio(p50, base ? summarize(base.samples).p50 : Number.NaN),
      ];
    }),
  );
}
