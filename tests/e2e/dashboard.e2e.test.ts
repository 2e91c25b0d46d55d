/**
 * The TeamDashboard in headless Chromium, production build, local stack: what two or more people
 * signed in at the same time see of each other, of the agents and of the organisation's feed.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MENTION_NOTIFICATION_MESSAGE, ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { spawnGroup, type GroupProcess } from '../../scripts/lib/process-group.ts';
import { venvPython } from '../../scripts/lib/python-env.ts';
import { launchChromium, screenshot, signedInPage } from './_browser.ts';
import { accessTokenOf, bridgeBroadcast } from './_bridge.ts';
import { ROOT, startDashboard, startStack, type DashboardProcess, type StackProcess } from './_servers.ts';

let stack: StackProcess;
let dashboard: DashboardProcess;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startStack();
  [dashboard, browser] = await Promise.all([startDashboard(stack.url), launchChromium()]);
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});
afterAll(async () => {
  await browser?.close();
  await dashboard?.stop();
  await stack?.stop();
});

async function open(email: string, next = '/'): Promise<Page> {
  const { context, page } = await signedInPage(browser, dashboard.url, email, next);
  contexts.push(context);
  return page;
}

const onlineNow = (page: Page) => page.getByRole('list', { name: 'Online now' });
const teamActivity = (page: Page) => page.getByRole('list', { name: 'Team activity' });

describe('TeamDashboard', () => {
  it('shows two Acme users each other in "Online now", and the connection as Connected', async () => {
    const owner = await open(USERS.acmeOwner.email);
    const west = await open(USERS.acmeWest.email);
    await onlineNow(owner).getByRole('listitem').filter({ hasText: USERS.acmeWest.displayName }).waitFor();
    await onlineNow(west).getByRole('listitem').filter({ hasText: USERS.acmeOwner.displayName }).waitFor();
    const connection = owner.getByRole('status', { name: 'Connection' });
    await connection.filter({ hasText: 'Connected' }).waitFor();
    await screenshot(owner, 'dashboard');
  });

  it("advances the demo agent's progress bar to completed", async () => {
    const owner = await open(USERS.acmeOwner.email);
    await owner.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor();
    // Every value each demo-agent progress bar shows, in order (a MutationObserver sees each render).
    await owner.evaluate(() => {
      const seen: Array<[string, number, string, string]> = [];
      (window as unknown as { runningSeen: number[] }).runningSeen = [];
      (window as unknown as { agentLog: typeof seen }).agentLog = seen;
      const record = () => {
        const running = Number(document.querySelector('[data-kpi="agents-running"]')?.textContent);
        const kpis = (window as unknown as { runningSeen: number[] }).runningSeen;
        if (kpis.at(-1) !== running) kpis.push(running);
        for (const item of document.querySelectorAll('li[data-run-id]')) {
          const bar = item.querySelector('[role="progressbar"][aria-label="demo-agent"]');
          if (!bar) continue;
          const error = item.querySelector('.error')?.textContent ?? '';
          const entry: [string, number, string, string] = [
            item.getAttribute('data-run-id')!,
            Number(bar.getAttribute('aria-valuenow')),
            item.getAttribute('data-status')!,
            error,
          ];
          const last = seen.findLast((e) => e[0] === entry[0]);
          if (!last || last[1] !== entry[1] || last[2] !== entry[2] || last[3] !== entry[3]) seen.push(entry);
        }
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true });
      record();
      // Layout shifts while the runs stream in (Chromium's layout-shift entries, as CLS counts
      // them) of anything outside the live lists: rows moving inside a list's own scroll box are
      // the data changing order; the page around them must not jump.
      const shifts: string[] = [];
      (window as unknown as { shifts: string[] }).shifts = shifts;
      const inLiveList = (node: Node | null | undefined) => {
        const element = node instanceof Element ? node : (node?.parentElement ?? null);
        return element?.closest('[data-live-list]') != null;
      };
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as Array<
          PerformanceEntry & { value: number; hadRecentInput: boolean; sources: Array<{ node?: Node | null }> }
        >) {
          const outside = entry.sources.filter((source) => !inLiveList(source.node));
          if (!entry.hadRecentInput && outside.length > 0) {
            const names = outside.map((source) =>
              (source.node instanceof Element ? source.node : source.node?.parentElement)?.outerHTML.slice(0, 80),
            );
            shifts.push(`${entry.value.toFixed(4)} ${names.join(' | ')}`);
          }
        }
      }).observe({ type: 'layout-shift' });
    });
    const agent = startDemoAgent(stack.url);
    try {
      expect(await agent.exited).toBe(0);
      const demoBars = owner.getByRole('progressbar', { name: 'demo-agent', exact: true });
      await owner.waitForFunction(
        () => {
          const items = [...document.querySelectorAll('li[data-run-id]')].filter((li) =>
            li.querySelector('[aria-label="demo-agent"]'),
          );
          return items.length > 0 && items.every((li) => li.getAttribute('data-status') === 'completed');
        },
        null,
        { timeout: 30_000 },
      );
      for (const bar of await demoBars.all()) expect(await bar.getAttribute('aria-valuenow')).toBe('100');
      const log = await owner.evaluate(
        () => (window as unknown as { agentLog: Array<[string, number, string, string]> }).agentLog,
      );
      const byRun = new Map<string, Array<[string, number, string, string]>>();
      for (const entry of log) byRun.set(entry[0], [...(byRun.get(entry[0]) ?? []), entry]);
      expect(byRun.size).toBeGreaterThan(0);
      for (const entries of byRun.values()) {
        const values = entries.map((e) => e[1]);
        // It advanced through intermediate values, never backwards, and ended completed at 100.
        expect(values.some((v) => v > 0 && v < 100)).toBe(true);
        expect(values).toEqual([...values].sort((a, b) => a - b));
        expect(entries.at(-1)?.slice(0, 3)).toEqual([entries[0]![0], 100, 'completed']);
      }
      // The "Agents running" KPI moved with the queue (a demo run processing, then none).
      const runningSeen = await owner.evaluate(() => (window as unknown as { runningSeen: number[] }).runningSeen);
      expect(runningSeen.length).toBeGreaterThan(1);
      // No layout jumps as data streams in: nothing outside the live lists moved at all.
      const shifts = await owner.evaluate(() => (window as unknown as { shifts: string[] }).shifts);
      expect(shifts).toEqual([]);
      // The demo's queue: three runs, one of which hit a transient error and was retried.
      expect(byRun.size).toBe(3);
      expect(log.some(([, , status, error]) => status === 'queued' && /retrying \(attempt 2\)/.test(error))).toBe(true);
      await screenshot(owner, 'agents');
    } finally {
      await agent.stop();
    }
  });

  it("shows a notification sent through the bridge as a toast in the addressee's browser only", async () => {
    const owner = await open(USERS.acmeOwner.email);
    const west = await open(USERS.acmeWest.email);
    for (const page of [owner, west])
      await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor();
    // History first (the seed's @mention of west), so the count below moves only by what arrives live.
    await west.getByRole('button', { name: 'Notifications' }).click();
    await west.getByRole('list', { name: 'Notification list' }).getByText(MENTION_NOTIFICATION_MESSAGE).waitFor();
    const unreadBefore = await unreadCount(west);
    const message = `Review Sunrise Books before Friday (${Date.now()})`;
    await bridgeBroadcast(stack.url, await accessTokenOf(stack.url, USERS.acmeOwner.email), {
      organizationId: ORGS.acme.id,
      target: { userId: USERS.acmeWest.id },
      message: { type: 'notification', data: { message, level: 'info', userId: USERS.acmeWest.id } },
    });
    await west.getByRole('status').filter({ hasText: message }).waitFor();
    expect(await unreadCount(west)).toBe(unreadBefore + 1);
    await screenshot(west, 'notification-toast');
    // The owner's page got everything else the org sent meanwhile; a personal notification to
    // west is not among it. Sending one to the owner afterwards and seeing only that proves the
    // owner's page was listening all along.
    const second = `For the owner only (${Date.now()})`;
    await bridgeBroadcast(stack.url, await accessTokenOf(stack.url, USERS.acmeOwner.email), {
      organizationId: ORGS.acme.id,
      target: { userId: USERS.acmeOwner.id },
      message: { type: 'notification', data: { message: second, level: 'success', userId: USERS.acmeOwner.id } },
    });
    await owner.getByRole('status').filter({ hasText: second }).waitFor();
    expect(await owner.getByText(message).count()).toBe(0);
    const item = west
      .getByRole('list', { name: 'Notification list' })
      .getByRole('listitem')
      .filter({ hasText: message });
    await item.waitFor();
    expect(await west.getByText(second).count()).toBe(0);
    // Mark as read: the count goes down by one and the item no longer offers it.
    await item.getByRole('button', { name: 'Mark as read' }).click();
    await item.getByRole('button', { name: 'Mark as read' }).waitFor({ state: 'detached' });
    expect(await unreadCount(west)).toBe(unreadBefore);
  });

  it('keeps a US_East update from the US_West member while the owner sees both', async () => {
    const owner = await open(USERS.acmeOwner.email);
    const west = await open(USERS.acmeWest.email);
    for (const page of [owner, west])
      await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor();
    const token = await accessTokenOf(stack.url, USERS.acmeOwner.email);
    const stamp = Date.now();
    const east = `Harbor House moved to the East desk (${stamp})`;
    const westUpdate = `Pacific Press reassigned on the West desk (${stamp})`;
    for (const [territory, message] of [
      ['US_East', east],
      ['US_West', westUpdate],
    ] as const) {
      await bridgeBroadcast(stack.url, token, {
        organizationId: ORGS.acme.id,
        target: { territory },
        message: {
          type: 'team_update',
          data: { updateType: 'assignment', message, userId: USERS.acmeOwner.id, territory, details: {} },
        },
      });
    }
    // The US_West update was sent after the US_East one: once west shows it, the other had its chance.
    await teamActivity(west).getByText(westUpdate).waitFor();
    await teamActivity(owner).getByText(westUpdate).waitFor();
    await teamActivity(owner).getByText(east).waitFor();
    expect(await west.getByText(east).count()).toBe(0);
    // The seed's assignment mentions west: highlighted for west, not for the owner.
    const mention = (page: Page) =>
      teamActivity(page)
        .getByRole('listitem')
        .filter({ hasText: `Sunrise Books assigned to ${USERS.acmeWest.email}` });
    expect(await mention(west).getByText('@you').count()).toBe(1);
    expect(await mention(owner).getByText('@you').count()).toBe(0);
    await screenshot(west, 'territory-feed');
  });

  it('sends the Simulate buttons through the bridge as the signed-in user and shows refusals', async () => {
    const west = await open(USERS.acmeWest.email);
    await west.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor();
    await west.getByRole('button', { name: 'Simulate team_update' }).click();
    await west
      .getByRole('status', { name: 'Simulation result' })
      .filter({ hasText: /^team_update sent/ })
      .waitFor();
    await teamActivity(west).getByText(`Simulated team update from ${USERS.acmeWest.displayName}`).first().waitFor();
    // A member may not report agent status: the bridge's reason is shown as an alert.
    await west.getByRole('button', { name: 'Simulate agent_status' }).click();
    const refusal = west.getByRole('alert', { name: 'Simulation result' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/^agent_status refused: \S/);
  });

  it('shows a Globex user nothing of Acme', async () => {
    const acme = await open(USERS.acmeOwner.email);
    const globex = await open(USERS.globexMember.email);
    for (const page of [acme, globex])
      await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor();
    const token = await accessTokenOf(stack.url, USERS.acmeOwner.email);
    const secret = `Acme-only org-wide news (${Date.now()})`;
    await bridgeBroadcast(stack.url, token, {
      organizationId: ORGS.acme.id,
      message: {
        type: 'team_update',
        data: { updateType: 'assignment', message: secret, userId: USERS.acmeOwner.id, territory: null, details: {} },
      },
    });
    await teamActivity(acme).getByText(secret).waitFor();
    // Globex's own world is there (its publisher, its org-wide update) …
    await globex.getByRole('list', { name: 'Publishers' }).getByText(PUBLISHERS.globexTomes.name).waitFor();
    const globexText = (await globex.locator('main').textContent()) ?? '';
    // … and nothing of Acme: no people, no publishers, no feed item, no agent run.
    for (const acmeThing of [
      secret,
      USERS.acmeOwner.email,
      USERS.acmeWest.email,
      USERS.acmeOwner.displayName,
      USERS.acmeWest.displayName,
      PUBLISHERS.sunriseBooks.name,
      PUBLISHERS.harborHouse.name,
      'scoring-agent',
    ]) {
      expect(globexText).not.toContain(acmeThing);
    }
    expect(
      await onlineNow(globex).getByRole('listitem').filter({ hasText: USERS.globexMember.displayName }).count(),
    ).toBe(1);
    await screenshot(globex, 'globex');
  });
});

function startDemoAgent(supabaseUrl: string): GroupProcess {
  const python = venvPython(ROOT); // made by the tier's globalSetup (_build.ts)
  const args = ['-m', 'pubdev_agents.demo', '--cycles', '1', '--step-seconds', '0.1'];
  return spawnGroup('agent', python, args, {
    cwd: path.join(ROOT, 'agents'),
    env: { ...process.env, SUPABASE_URL: supabaseUrl, PYTHONPATH: path.join(ROOT, 'agents') },
    echo: () => {},
  });
}

async function unreadCount(page: Page): Promise<number> {
  const label = await page.getByRole('button', { name: 'Notifications' }).locator('.count').getAttribute('aria-label');
  return Number(/^(\d+) unread$/.exec(label ?? '')?.[1] ?? Number.NaN);
}
