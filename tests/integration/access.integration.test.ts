/**
 * Live permission changes through the real core on the local stack: when an owner moves a member
 * to another territory, the member's open core re-reads, leaves the old territory's channels,
 * joins the new ones, drops what it may no longer see and says what changed; when the owner
 * removes them, it holds no channel of the organisation within seconds and says so; added back,
 * it joins again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgTopic, parseTopic, territoryTopic, userTopic } from '../../src/contract/index.ts';
import { CAMPAIGNS, ORGS, PUBLISHERS, TEAM_UPDATES, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import type { ReadableStore } from '../../src/realtime/index.ts';
import { ACME, record, startClientStack, until, type ClientStack } from './_client-stack.ts';

const WEST = USERS.acmeWest;
/** The bound the design promises for a change to reach an open page. */
const WITHIN_MS = 5000;

describe.each(BACKENDS)('live permission changes (%s)', (backend) => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack(backend);
  });
  afterAll(() => rt.stop());

  it('moves, removes and re-admits a member whose page is open', async () => {
    const owner = await rt.signedIn('acmeOwner');
    const { core } = await rt.core('acmeWest');
    const views = [
      core.access,
      core.publishers,
      core.teamUpdates,
      core.notifications,
      core.userSnapshots,
      core.people,
      core.campaigns,
      core.kpis,
    ].map((store: ReadableStore<unknown>) => record(store));
    await until(core.access, (a) => a.status === 'member', 'the membership read');
    await until(
      core.publishers,
      (list) => list.some((p) => p.id === PUBLISHERS.sunriseBooks.id),
      'the West publishers',
    );
    await until(
      core.teamUpdates,
      (list) => list.some((u) => u.territory === 'US_West'),
      'a US_West team update in the feed',
    );
    await until(
      core.campaigns,
      (list) => list.map((c) => c.id).join() === CAMPAIGNS.sunriseSpring.id,
      "the US_West publisher's campaign only",
    );
    await until(core.kpis, (k) => k?.publishersTotal === 2, 'the KPIs of the two US_West publishers');
    const topics = () => core.channelTopics();
    await expect.poll(topics, { timeout: WITHIN_MS }).toContain(territoryTopic(ACME, 'US_West'));

    // A US_East item West cannot read yet, written a minute ago (farther back than any catch-up
    // overlaps), then a newer org-wide one she reads: only a fresh read under the new rights can
    // bring the US_East one.
    const post = (message: string, territory: string | null, createdAt?: string) =>
      rt
        .service()
        .from('team_updates')
        .insert({
          organization_id: ACME,
          user_id: USERS.acmeOwner.id,
          update_type: 'note',
          message,
          territory,
          ...(createdAt ? { created_at: createdAt } : {}),
        });
    const aMinuteAgo = new Date(Date.now() - 60_000).toISOString();
    expect((await post('East news before the move', 'US_East', aMinuteAgo)).error).toBeNull();
    expect((await post('Org news after it', null)).error).toBeNull();
    await until(core.teamUpdates, (list) => list.some((u) => u.message === 'Org news after it'), 'the org news');

    // ── Moved to US_East ──
    const moved = await owner
      .from('organization_members')
      .update({ territories: ['US_East'] })
      .eq('organization_id', ACME)
      .eq('user_id', WEST.id)
      .select('user_id');
    expect(moved.error).toBeNull();
    const started = Date.now();
    const access = await until(
      core.access,
      (a) => a.territories.join() === 'US_East',
      'the new territories',
      WITHIN_MS,
    );
    expect(access.notices.map((n) => n.message)).toEqual(['You were moved to US_East']);
    const publishers = await until(
      core.publishers,
      (list) => list.length > 0 && list.every((p) => p.territory === 'US_East'),
      'only US_East publishers',
      WITHIN_MS,
    );
    expect(publishers.map((p) => p.name).sort()).toEqual([PUBLISHERS.harborHouse.name, PUBLISHERS.libertyPrint.name]);
    // The feed restarts under the new rights: US_East items from before the move are there too.
    await until(
      core.teamUpdates,
      (list) =>
        list.every((u) => u.territory !== 'US_West') &&
        list.some((u) => u.message === 'East news before the move') &&
        list.some((u) => u.id === TEAM_UPDATES.acmeUsEast),
      'the feed without US_West and with the older US_East updates',
      WITHIN_MS,
    );
    await until(
      core.campaigns,
      (list) => list.map((c) => c.id).join() === CAMPAIGNS.harborRetail.id,
      "the US_East publisher's campaign only",
      WITHIN_MS,
    );
    await until(core.kpis, (k) => k?.publishersTotal === 2, 'the KPIs of the two US_East publishers', WITHIN_MS);
    await expect.poll(topics, { timeout: WITHIN_MS }).toContain(territoryTopic(ACME, 'US_East'));
    await expect.poll(topics, { timeout: WITHIN_MS }).not.toContain(territoryTopic(ACME, 'US_West'));
    expect(Date.now() - started).toBeLessThan(WITHIN_MS);

    // ── Removed ──
    const removed = await owner
      .from('organization_members')
      .delete()
      .eq('organization_id', ACME)
      .eq('user_id', WEST.id)
      .select('user_id');
    expect(removed.error).toBeNull();
    const gone = await until(core.access, (a) => a.status === 'removed', 'the removal', WITHIN_MS);
    expect(gone.notices.at(-1)?.message).toBe(`You no longer have access to ${ORGS.acme.name}`);
    // No channel of the organisation: only the person's own topic is left.
    await expect.poll(topics, { timeout: WITHIN_MS }).toEqual([userTopic(WEST.id)]);
    expect(core.channelStates().filter((c) => parseTopic(c.topic)?.kind !== 'user')).toEqual([]);
    for (const store of [core.publishers, core.teamUpdates, core.userSnapshots] as ReadableStore<readonly unknown[]>[])
      await until(store, (list) => list.length === 0, 'an emptied store', WITHIN_MS);
    await until(core.notifications, (n) => n.notifications.length === 0, 'no notifications', WITHIN_MS);
    await until(core.people, (p) => p.people.length === 0, 'no people', WITHIN_MS);
    await until(core.campaigns, (list) => list.length === 0, 'no campaigns', WITHIN_MS);
    await until(core.kpis, (k) => k === null, 'no KPIs', WITHIN_MS);

    // ── Added back (as an owner or admin would, through an invitation or directly) ──
    const back = await owner
      .from('organization_members')
      .insert({ organization_id: ACME, user_id: WEST.id, role: 'member', territories: ['US_West'] })
      .select('user_id');
    expect(back.error).toBeNull();
    const readmitted = await until(core.access, (a) => a.status === 'member', 'the new membership', WITHIN_MS);
    expect(readmitted.notices.at(-1)?.message).toBe(`You were added to ${ORGS.acme.name} as a member`);
    await expect.poll(topics, { timeout: WITHIN_MS }).toContain(orgTopic(ACME));
    await until(
      core.publishers,
      (list) => list.some((p) => p.id === PUBLISHERS.sunriseBooks.id),
      'the West publishers again',
      WITHIN_MS,
    );
    for (const view of views) view.stop();
  });
});
