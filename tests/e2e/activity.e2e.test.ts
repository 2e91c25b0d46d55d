/**
 * The activity stream, @mentions and campaign charts in Chromium, as two people of one organisation
 * see them: a saved field reaches the other person's feed within 2 s (and a save in another
 * territory never does), "Load older" pages through 600 items, a mention raises the mentioned
 * person's unread count with the "@you" item, and a data point written by an agent moves its chart
 * within 2 s.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY } from '../../local-stack/index.ts';
import { CAMPAIGNS, FIXTURE_PASSWORD, ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { screenshot } from './_browser.ts';
import { connected, useE2eSuite } from './_suite.ts';

const suite = useE2eSuite();
const OWNER = USERS.acmeOwner;
const WEST = USERS.acmeWest;

const activity = (page: Page) => page.getByRole('list', { name: 'Team activity' });
const service = (): SupabaseClient =>
  createClient(suite.stack.url, LOCAL_SERVICE_ROLE_KEY, { auth: { persistSession: false } });

async function unreadCount(page: Page): Promise<number> {
  const label = await page.getByRole('button', { name: 'Notifications' }).locator('.count').getAttribute('aria-label');
  return Number(/^(\d+) unread$/.exec(label ?? '')?.[1] ?? Number.NaN);
}

/** Saves one field on a publisher page as the person signed in there. */
async function saveField(page: Page, label: string, value: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole('button', { name: 'Save' }).click();
}

describe('activity stream', () => {
  it("shows the owner's save in West's stream within 2 s, and never the US_East one", async () => {
    const { error } = await service()
      .from('publishers')
      .update({ status: 'prospect' })
      .eq('id', PUBLISHERS.sunriseBooks.id);
    expect(error).toBeNull();
    const west = await suite.open(WEST.email);
    const sunrise = await suite.open(OWNER.email, `/publishers/${PUBLISHERS.sunriseBooks.id}`);
    const harbor = await suite.open(OWNER.email, `/publishers/${PUBLISHERS.harborHouse.id}`);
    await Promise.all([connected(west), connected(sunrise), connected(harbor)]);
    await harbor.getByLabel('Status', { exact: true }).waitFor();
    await sunrise.waitForFunction(
      () => (document.getElementById('field-status') as HTMLInputElement | null)?.value === 'prospect',
    );

    // The US_East save first: once West shows the US_West one, the other had its chance.
    await saveField(harbor, 'Status', 'east_only');
    await harbor.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const started = Date.now();
    await saveField(sunrise, 'Status', 'active');
    const expected = `${OWNER.displayName} changed status: prospect → active`;
    await activity(west).getByRole('listitem').filter({ hasText: expected }).waitFor({ timeout: 2000 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(2000);
    expect(await activity(west).getByText('east_only').count()).toBe(0);
    // The item links to its record.
    const item = activity(west).getByRole('listitem').filter({ hasText: expected });
    expect(await item.getByRole('link', { name: PUBLISHERS.sunriseBooks.name }).getAttribute('href')).toBe(
      `/publishers/${PUBLISHERS.sunriseBooks.id}`,
    );
    await screenshot(west, 'activity-stream');
  });

  it('"Load older" pages through 600 items without duplicates or gaps', async () => {
    const base = Date.now() - 24 * 3600_000;
    const rows = Array.from({ length: 600 }, (_, i) => ({
      organization_id: ORGS.acme.id,
      update_type: 'note',
      message: `Archive item ${String(i + 1).padStart(3, '0')}`,
      territory: i % 2 === 0 ? 'US_West' : null,
      created_at: new Date(base + i * 1000).toISOString(),
    }));
    const { error } = await service().from('team_updates').insert(rows);
    expect(error).toBeNull();
    const west = await suite.open(WEST.email);
    await connected(west);
    const loadOlder = west.getByRole('button', { name: 'Load older' });
    await loadOlder.waitFor();
    for (let clicks = 0; clicks < 30 && (await loadOlder.count()) > 0; clicks++) {
      const before = await activity(west).getByRole('listitem').count();
      await loadOlder.click();
      await west.waitForFunction(
        (n) =>
          document.querySelectorAll('ul[aria-label="Team activity"] > li').length > n ||
          !document.querySelector('.feed-more button'),
        before,
      );
    }
    await west.getByText('The beginning of the activity').waitFor();
    const shown = await activity(west)
      .locator(':scope > li')
      .evaluateAll((items) =>
        items.map((li) => ({
          id: li.getAttribute('data-update-id'),
          text: li.querySelector('span:not(.badge)')?.textContent ?? '',
        })),
      );
    expect(new Set(shown.map((s) => s.id)).size).toBe(shown.length);
    const archive = shown.map((s) => s.text).filter((text) => text.startsWith('Archive item '));
    expect(archive).toEqual(rows.map((r) => r.message).reverse());
  });

  it("West's @mention raises the owner's unread count with the @you item", async () => {
    const owner = await suite.open(OWNER.email);
    const west = await suite.open(WEST.email);
    await Promise.all([connected(owner), connected(west)]);
    await owner.getByRole('button', { name: 'Notifications' }).click();
    await owner.getByRole('list', { name: 'Notification list' }).waitFor();
    const before = await unreadCount(owner);

    const box = west.getByRole('combobox', { name: 'Post an update' });
    await box.click();
    await box.pressSequentially('@Ad');
    await west.getByRole('listbox', { name: 'People' }).getByRole('option', { name: OWNER.displayName }).click();
    await box.pressSequentially('please check the Sunrise numbers');
    const message = `@${OWNER.displayName} please check the Sunrise numbers`;
    expect(await box.inputValue()).toBe(message);
    await west.getByRole('button', { name: 'Post', exact: true }).click();

    const item = activity(owner).getByRole('listitem').filter({ hasText: message });
    await item.getByText('@you').waitFor();
    await owner.waitForFunction(
      (n) => document.querySelector('.notifications .count')?.getAttribute('aria-label') === `${n} unread`,
      before + 1,
    );
    await owner
      .getByRole('list', { name: 'Notification list' })
      .getByRole('link', { name: `You were mentioned: ${message}` })
      .waitFor();
    // West sees the item without the mark; the mention is the owner's.
    await activity(west).getByRole('listitem').filter({ hasText: message }).waitFor();
    expect(await activity(west).getByRole('listitem').filter({ hasText: message }).getByText('@you').count()).toBe(0);
    await screenshot(owner, 'mention');
  });

  it('moves a campaign chart within 2 s of a data point an agent writes', async () => {
    const owner = await suite.open(OWNER.email);
    await connected(owner);
    const chart = owner.locator(`li[data-campaign-id="${CAMPAIGNS.sunriseSpring.id}"] figure.campaign-chart`);
    await chart.waitFor();
    await owner.waitForFunction(
      (id) => Number(document.querySelector(`li[data-campaign-id="${id}"] figure`)?.getAttribute('data-points')) > 0,
      CAMPAIGNS.sunriseSpring.id,
    );
    const before = Number(await chart.getAttribute('data-points'));
    expect(before).toBeLessThan(60); // a chart shows the latest 60 points
    const agent = createClient(suite.stack.url, LOCAL_ANON_KEY, { auth: { persistSession: false } });
    const signIn = await agent.auth.signInWithPassword({ email: USERS.acmeAgent.email, password: FIXTURE_PASSWORD });
    expect(signIn.error).toBeNull();
    const started = Date.now();
    const { error } = await agent
      .from('campaign_metrics')
      .insert({ campaign_id: CAMPAIGNS.sunriseSpring.id, impressions: 4321, clicks: 99, conversions: 7, spend: 42 });
    expect(error).toBeNull();
    await owner.waitForFunction(
      ([id, n]) =>
        document.querySelector(`li[data-campaign-id="${id}"] figure`)?.getAttribute('data-points') === String(n),
      [CAMPAIGNS.sunriseSpring.id, before + 1] as const,
      { timeout: 2000 },
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await chart.locator('svg').getAttribute('aria-label')).toContain(
      'the latest 4321 impressions and 99 clicks',
    );
    expect(await chart.locator('circle').count()).toBe(before + 1);
    await screenshot(owner, 'campaigns');
  });
});
