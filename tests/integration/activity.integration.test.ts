/**
 * The activity, campaign, KPI and history stores of the core against the local stack, as a
 * dashboard uses them: a saved field arrives in the feed live, "Load older" pages without gaps or
 * duplicates, a data point moves its campaign and the KPIs, the history follows the record, and
 * the publisher list says when it has loaded (also when it is empty).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITY_PAGE_SIZE, type TeamUpdate } from '../../src/realtime/index.ts';
import { CAMPAIGNS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { ACME, startClientStack, until, type ClientStack } from './_client-stack.ts';

const SUNRISE = PUBLISHERS.sunriseBooks;
const SPRING = CAMPAIGNS.sunriseSpring;

describe.each(BACKENDS)('activity, campaigns and KPIs (%s)', (backend) => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack(backend);
  });
  afterAll(() => rt.stop());

  it("the owner's save arrives in West's feed live; a US_East save never does", async () => {
    const west = await rt.core('acmeWest');
    const owner = await rt.core('acmeOwner');
    const feed = west.core.teamUpdates;
    const stopFeed = feed.subscribe(() => {});
    await until(feed, (items) => items.some((i) => i.message === 'Quarterly territory plan published'), 'the seed');
    expect(await owner.core.publisher(PUBLISHERS.harborHouse.id).save({ status: 'east_news' })).toMatchObject({
      ok: true,
    });
    const sunrise = owner.core.publisher(SUNRISE.id);
    const stop = sunrise.subscribe(() => {});
    await until(sunrise, (s) => s.publisher !== null, 'the record');
    expect(await sunrise.save({ status: 'west_news' })).toMatchObject({ ok: true });
    stop();
    const items = await until(
      feed,
      (list) => list.some((i) => i.message === `${USERS.acmeOwner.displayName} changed status: active → west_news`),
      "the owner's save",
    );
    const item = items.find((i) => i.message.endsWith('west_news'))!;
    expect(item).toMatchObject({ updateType: 'publisher_update', publisherId: SUNRISE.id, action: 'field_changed' });
    expect(items.filter((i) => i.message.includes('east_news'))).toEqual([]);
    // Live and catch-up copies are one item.
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    stopFeed();
  });

  it('"Load older" pages through 260 items newest first without gaps or duplicates', async () => {
    await rt.database.db.query(
      `insert into public.team_updates (organization_id, update_type, message, territory, created_at)
       select $1, 'note', 'paged ' || n, case when n % 3 = 0 then 'US_East' else 'US_West' end,
              now() - interval '2 hours' + (n / 4) * interval '1 millisecond'
         from generate_series(1, 260) as n`,
      [ACME],
    );
    const { core } = await rt.core('acmeOwner');
    const feed = core.teamUpdates;
    const first = await until(feed, (items) => items.length >= ACTIVITY_PAGE_SIZE, 'the first page');
    expect(first).toHaveLength(ACTIVITY_PAGE_SIZE);
    for (let page = 0; page < 20 && core.teamUpdates.older.getSnapshot().hasOlder; page++) {
      expect(await feed.loadOlder()).toEqual({ ok: true });
    }
    const items: readonly TeamUpdate[] = feed.getSnapshot();
    const paged = items.filter((i) => i.message.startsWith('paged ')).map((i) => Number(i.message.slice(6)));
    expect(paged).toHaveLength(260);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    // Newest first: the numbers only go down (ties within a millisecond may come in either order).
    const byMillisecond = paged.map((n) => Math.floor(n / 4));
    expect(byMillisecond).toEqual([...byMillisecond].sort((a, b) => b - a));
    const { count } = await rt
      .service()
      .from('team_updates')
      .select('id', { count: 'exact', head: true })
      .eq('organization_id', ACME);
    expect(items).toHaveLength(count!);
  });

  it("an agent's data point reaches the campaign live and moves the KPIs", async () => {
    const { core } = await rt.core('acmeWest');
    const stops = [core.campaigns.subscribe(() => {}), core.kpis.subscribe(() => {})];
    const campaigns = await until(
      core.campaigns,
      (list) => list.some((c) => c.id === SPRING.id && c.points.length === SPRING.points),
      'the campaign and its points',
    );
    const before = campaigns.find((c) => c.id === SPRING.id)!;
    const kpisBefore = await until(core.kpis, (k) => k !== null, 'the KPIs');
    const agent = await rt.signedIn('acmeAgent');
    const { error } = await agent
      .from('campaign_metrics')
      .insert({ campaign_id: SPRING.id, impressions: 5000, clicks: 250, conversions: 25, spend: 100 });
    expect(error).toBeNull();
    const after = (
      await until(
        core.campaigns,
        (list) => list.find((c) => c.id === SPRING.id)!.points.length > before.points.length,
        'the new point',
      )
    ).find((c) => c.id === SPRING.id)!;
    expect(after.points.at(-1)).toMatchObject({ impressions: 5000, clicks: 250 });
    expect(after.impressions).toBe(before.impressions + 5000);
    const kpis = await until(core.kpis, (k) => k!.impressions === kpisBefore!.impressions + 5000, 'the KPIs moved');
    expect(kpis!.clicks).toBe(kpisBefore!.clicks + 250);
    // A US_East point moves nothing of West's.
    await agent.from('campaign_metrics').insert({ campaign_id: CAMPAIGNS.harborRetail.id, impressions: 7 });
    expect(core.campaigns.getSnapshot().some((c) => c.id === CAMPAIGNS.harborRetail.id)).toBe(false);
    for (const stop of stops) stop();
  });

  it("the history follows the record's version and pages older changes", async () => {
    const { core } = await rt.core('acmeOwner');
    const history = core.publisherHistory(PUBLISHERS.pacificPress.id);
    const stop = history.subscribe(() => {});
    const record = core.publisher(PUBLISHERS.pacificPress.id);
    await until(history, (h) => h.changes.length > 0, 'the creation');
    for (let i = 1; i <= 25; i++) {
      expect(await record.save({ 'custom_fields.round': i })).toMatchObject({ ok: true });
    }
    const shown = await until(history, (h) => h.changes[0]?.version === 26, 'the 25th save');
    expect(shown.changes[0]).toMatchObject({ field: 'custom_fields', changedBy: USERS.acmeOwner.id });
    while (history.getSnapshot().hasOlder) await history.loadOlder();
    const versions = history.getSnapshot().changes.map((c) => c.version);
    expect(new Set(history.getSnapshot().changes.map((c) => c.id)).size).toBe(versions.length);
    expect(versions[0]).toBe(26);
    expect(versions.at(-1)).toBe(1);
    stop();
  });

  it('the publisher list says it has loaded, and an empty list is then the truth', async () => {
    const globex = await rt.core('globexMember', { organizationId: ACME });
    const stop = globex.core.publishers.subscribe(() => {});
    await until(globex.core.publishers.loaded, (loaded) => loaded, 'loaded');
    expect(globex.core.publishers.getSnapshot()).toEqual([]);
    stop();
  });
});
