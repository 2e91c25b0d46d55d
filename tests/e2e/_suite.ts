/** One stack, one production dashboard and one Chromium per e2e file, closed after it. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchChromium, signedInPage } from './_browser.ts';
import { startDashboard, startStack, type DashboardProcess, type StackProcess } from './_servers.ts';

export interface E2eSuite {
  readonly stack: StackProcess;
  readonly dashboard: DashboardProcess;
  readonly browser: Browser;
  /** A signed-in page of its own browser context (closed after the test). */
  open(email: string, next?: string): Promise<Page>;
}

export function useE2eSuite(options: { dataDir?: string } = {}): E2eSuite {
  const state: { stack?: StackProcess; dashboard?: DashboardProcess; browser?: Browser } = {};
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    state.stack = await startStack(options);
    [state.dashboard, state.browser] = await Promise.all([startDashboard(state.stack.url), launchChromium()]);
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await state.browser?.close();
    await state.dashboard?.stop();
    await state.stack?.stop();
  });
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started (beforeAll failed?)`);
    return value;
  };
  return {
    get stack() {
      return need(state.stack, 'the stack');
    },
    get dashboard() {
      return need(state.dashboard, 'the dashboard');
    },
    get browser() {
      return need(state.browser, 'Chromium');
    },
    async open(email, next = '/') {
      const { context, page } = await signedInPage(
        need(state.browser, 'Chromium'),
        need(state.dashboard, 'the dashboard').url,
        email,
        next,
      );
      contexts.push(context);
      return page;
    },
  };
}

/** Waits until the page's connection indicator says "Connected". */
export async function connected(page: Page): Promise<void> {
  await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor();
}
