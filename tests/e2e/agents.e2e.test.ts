/**
 * The agents panel in headless Chromium (production build, local stack) while the Python demo
 * agent works its queue of three publishers: the owner sees the queue positions 1, 2, 3 move up,
 * cancels the running run (the agent stops at its next report and claims the next item), sees
 * Pacific Press fail part-way and come back as attempt 2, and gets a completion toast with Harbor
 * House's result. The US_West member, signed in at the same time, sees the two US_West runs and
 * never a word of the US_East one.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { spawnGroup, type GroupProcess } from '../../scripts/lib/process-group.ts';
import { venvPython } from '../../scripts/lib/python-env.ts';
import { USERS } from '../../supabase/fixture.ts';
import { screenshot } from './_browser.ts';
import { ROOT } from './_servers.ts';
import { connected, useE2eSuite } from './_suite.ts';

interface RowState {
  readonly runId: string;
  readonly text: string;
  readonly status: string;
}

/** Records every distinct state of every demo-agent row, and whether the page ever said `never`. */
async function watchAgents(page: Page, never: string | null = null): Promise<void> {
  await page.evaluate((forbidden) => {
    const log: RowState[] = [];
    const state = { log, leaked: [] as string[] };
    (window as unknown as { agentWatch: typeof state }).agentWatch = state;
    const record = () => {
      if (forbidden && document.body.textContent?.includes(forbidden))
        state.leaked.push(document.body.textContent.slice(0, 200));
      for (const item of document.querySelectorAll('li[data-agent-id="demo-agent"]')) {
        const entry = {
          runId: item.getAttribute('data-run-id')!,
          text: item.querySelector('.agent-head')?.textContent ?? '',
          status: item.getAttribute('data-status')!,
        };
        const last = log.findLast((e) => e.runId === entry.runId);
        if (!last || last.text !== entry.text || last.status !== entry.status) log.push(entry);
      }
    };
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
    record();
  }, never);
}

const watched = (page: Page) =>
  page.evaluate(() => (window as unknown as { agentWatch: { log: RowState[]; leaked: string[] } }).agentWatch);

function startDemoAgent(supabaseUrl: string): GroupProcess {
  const python = venvPython(ROOT); // made by the tier's globalSetup (_build.ts)
  // Slow enough for a person to press Cancel while the first run works (20 steps of 0.4 s).
  const args = ['-m', 'pubdev_agents.demo', '--cycles', '1', '--step-seconds', '0.4'];
  return spawnGroup('agent', python, args, {
    cwd: path.join(ROOT, 'agents'),
    env: { ...process.env, SUPABASE_URL: supabaseUrl, PYTHONPATH: path.join(ROOT, 'agents') },
    echo: () => {},
  });
}

describe('agents panel', () => {
  const suite = useE2eSuite();

  it('the owner watches the queue, cancels a run, sees a retry and a completion; the US_West member sees only US_West', async () => {
    const owner = await suite.open(USERS.acmeOwner.email);
    const west = await suite.open(USERS.acmeWest.email);
    await Promise.all([connected(owner), connected(west)]);
    await watchAgents(owner);
    await watchAgents(west, 'Harbor House');
    const agent = startDemoAgent(suite.stack.url);
    try {
      const panel = owner.getByRole('list', { name: 'Agent runs' });
      const demoRows = panel.locator('li[data-agent-id="demo-agent"]');
      // The whole queue first: 1st, 2nd and 3rd in queue.
      for (const place of ['1st in queue', '2nd in queue', '3rd in queue'])
        await demoRows.filter({ hasText: place }).first().waitFor({ timeout: 30_000 });
      // The first run starts; the owner cancels it from the dashboard.
      const firstRunning = owner.locator('li[data-agent-id="demo-agent"][data-status="processing"]').first();
      await firstRunning.waitFor({ timeout: 30_000 });
      const cancelledId = (await firstRunning.getAttribute('data-run-id'))!;
      await owner
        .locator(`li[data-run-id="${cancelledId}"]`)
        .getByRole('button', { name: 'Cancel demo-agent run' })
        .click();
      await owner.locator(`li[data-run-id="${cancelledId}"][data-status="cancelled"]`).waitFor();
      // Harbor House completes last: its owner (the owner) gets the toast with the result.
      const toast = owner
        .getByRole('status')
        .filter({ hasText: /Agent demo-agent completed .*publisher: Harbor House/ });
      await toast.first().waitFor({ timeout: 90_000 });
      expect(await toast.first().textContent()).toMatch(/attempts: 1, contactsFound: \d+, publisher: Harbor House/);
      expect(await agent.exited).toBe(0);
      await screenshot(owner, 'agents');

      const { log } = await watched(owner);
      const runs = new Map<string, RowState[]>();
      for (const entry of log) runs.set(entry.runId, [...(runs.get(entry.runId) ?? []), entry]);
      expect(runs.size).toBe(3);
      // Positions moved up: the run seen 3rd was then 2nd, then 1st; when Pacific Press failed and
      // went back to its old place ahead of it, it was 2nd again, then 1st.
      const third = [...runs.values()].find((states) => states.some((s) => s.text.includes('3rd in queue')))!;
      const places = third
        .map((s) => /(\d)(?:st|nd|rd) in queue/.exec(s.text)?.[1])
        .filter(Boolean)
        .filter((place, i, all) => place !== all[i - 1]);
      expect(places).toEqual(['3', '2', '1', '2', '1']);
      // The cancelled run stopped for good; the agent went on with the others.
      expect(runs.get(cancelledId)!.at(-1)!.status).toBe('cancelled');
      // Pacific Press failed part-way and came back as attempt 2, then completed.
      const retried = [...runs.values()].find((states) => states.some((s) => s.text.includes('attempt 2')))!;
      expect(retried.at(-1)!.status).toBe('completed');
      expect(retried.some((s) => s.status === 'queued' && s.text.includes('attempt 2'))).toBe(true);
      expect([...runs.values()].filter((states) => states.at(-1)!.status === 'completed')).toHaveLength(2);

      // The US_West member saw the two US_West runs and nothing of Harbor House, anywhere on the page.
      const westView = await watched(west);
      expect(new Set(westView.log.map((e) => e.runId)).size).toBe(2);
      expect(westView.log.map((e) => e.runId)).toContain(cancelledId);
      expect(westView.leaked).toEqual([]);
      await screenshot(west, 'territory-agents');
    } finally {
      await agent.stop();
    }
  });
});
