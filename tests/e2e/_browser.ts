/**
 * Headless Chromium through playwright-core (Debian's `chromium`; `npx playwright install` cannot
 * download browsers on the machines this project runs on).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { FIXTURE_PASSWORD } from '../../supabase/fixture.ts';
import { ROOT } from './_servers.ts';

const CHROMIUM_CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

function chromiumPath(): string {
  const found = CHROMIUM_CANDIDATES.find((candidate): candidate is string => !!candidate && existsSync(candidate));
  if (!found) throw new Error('Chromium not found: `apt-get install -y chromium` or set CHROMIUM_PATH');
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A fresh browser context (its own cookies: one person) signed in through /login as a user would. */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  email: string,
  next = '/',
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(FIXTURE_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === next, { timeout: 20_000 });
  return { context, page };
}

const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');

/** Saves a screenshot under docs/screenshots/ (the README shows them). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
