/**
 * Stopping and restarting the stack under an open dashboard: the indicator says "Connection lost",
 * then "Connected" again, and the feed holds every update exactly once — including the ones
 * written while the page was still reconnecting.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ORGS, USERS } from '../../supabase/fixture.ts';
import { screenshot } from './_browser.ts';
import { accessTokenOf, bridgeBroadcast } from './_bridge.ts';
import { scratchDir, startStack, type StackProcess } from './_servers.ts';
import { connected, useE2eSuite } from './_suite.ts';

// The stack keeps its data in a directory, so the restarted stack has everything written before.
const data = scratchDir('pubdev-e2e-reconnect-');
const suite = useE2eSuite({ dataDir: data.path });

async function postUpdate(supabaseUrl: string, message: string): Promise<void> {
  await bridgeBroadcast(supabaseUrl, await accessTokenOf(supabaseUrl, USERS.acmeOwner.email), {
    organizationId: ORGS.acme.id,
    message: {
      type: 'team_update',
      data: { updateType: 'assignment', message, userId: USERS.acmeOwner.id, territory: null, details: {} },
    },
  });
}

async function feedIds(page: Page): Promise<string[]> {
  return page
    .getByRole('list', { name: 'Team activity' })
    .locator('li[data-update-id]')
    .evaluateAll((items) => items.map((li) => li.getAttribute('data-update-id')!));
}

describe('connection loss and recovery', () => {
  it('shows "Connection lost" then "Connected", and the feed has no gaps and no duplicates', async () => {
    const page = await suite.open(USERS.acmeOwner.email);
    await connected(page);
    const stamp = Date.now();
    const before = `Before the outage (${stamp})`;
    await postUpdate(suite.stack.url, before);
    const feed = page.getByRole('list', { name: 'Team activity' });
    await feed.getByText(before).waitFor();

    await suite.stack.stop();
    const indicator = page.getByRole('status', { name: 'Connection' });
    await indicator.filter({ hasText: 'Connection lost' }).waitFor({ timeout: 30_000 });
    await page.getByRole('status').filter({ hasText: 'Connection lost — trying to reconnect' }).waitFor();
    await screenshot(page, 'connection-lost');

    // Same port, same data: the page reconnects by itself. Updates written right after the restart
    // may land before the page has rejoined; the backfill must bring them.
    const restarted: StackProcess = await startStack({ port: suite.stack.port, dataDir: data.path });
    try {
      const during = `While reconnecting (${stamp})`;
      await postUpdate(restarted.url, during);
      await indicator.filter({ hasText: 'Connected' }).waitFor({ timeout: 60_000 });
      await page.getByRole('status').filter({ hasText: 'Connection restored' }).waitFor();
      const after = `After the outage (${stamp})`;
      await postUpdate(restarted.url, after);
      for (const message of [before, during, after]) await feed.getByText(message).waitFor();
      for (const message of [before, during, after]) expect(await feed.getByText(message).count()).toBe(1);
      const ids = await feedIds(page);
      expect(new Set(ids).size).toBe(ids.length);
      await screenshot(page, 'connection-restored');
    } finally {
      await restarted.stop();
      data.remove();
    }
  });
});
