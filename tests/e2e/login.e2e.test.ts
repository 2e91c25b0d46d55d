/**
 * Signing in: /login lists the fixture users against a local stack, refuses a wrong password with
 * Supabase Auth's reason, and a signed-in user lands on their organisation's dashboard.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../../supabase/fixture.ts';
import { launchChromium, screenshot, signedInPage } from './_browser.ts';
import { startDashboard, startStack, type DashboardProcess, type StackProcess } from './_servers.ts';

describe('sign-in', () => {
  let stack: StackProcess;
  let dashboard: DashboardProcess;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack();
    [dashboard, browser] = await Promise.all([startDashboard(stack.url), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    await stack?.stop();
  });

  it('sends an anonymous visitor to /login, which lists the fixture users', async () => {
    const context = await browser.newContext({ baseURL: dashboard.url });
    const page = await context.newPage();
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/login');
    const fixtures = page.getByRole('heading', { name: 'Fixture users (local development)' });
    await fixtures.waitFor();
    for (const user of Object.values(USERS)) await page.getByText(user.email, { exact: true }).waitFor();
    await screenshot(page, 'login');
    await context.close();
  });

  it('shows the refusal for a wrong password and stays on /login', async () => {
    const context = await browser.newContext({ baseURL: dashboard.url });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Email').fill(USERS.acmeOwner.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Supabase Auth's own words, announced as an alert (Next's route announcer is an empty alert too).
    await page.getByRole('alert').filter({ hasText: 'Invalid login credentials' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await context.close();
  });

  it('signs in with the keyboard alone, and the Notifications menu opens and closes by keyboard', async () => {
    const context = await browser.newContext({ baseURL: dashboard.url });
    const page = await context.newPage();
    await page.goto('/login');
    // Email has focus on arrival; Tab moves to Password; Enter submits.
    await page.keyboard.type(USERS.acmeWest.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('pubdev-local-password');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/');
    const button = page.getByRole('button', { name: 'Notifications' });
    await button.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('list', { name: 'Notification list' }).waitFor();
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Escape');
    await page.getByRole('list', { name: 'Notification list' }).waitFor({ state: 'detached' });
    await context.close();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const { context, page } = await signedInPage(browser, dashboard.url, USERS.acmeOwner.email);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('list', { name: 'Team activity' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'dashboard-phone');
    await context.close();
  });

  it('signs the Acme owner in to the Acme dashboard', async () => {
    const { context, page } = await signedInPage(browser, dashboard.url, USERS.acmeOwner.email);
    await page.getByRole('heading', { name: 'Team dashboard' }).waitFor();
    // The header names the person by their display name, not their email.
    expect(await page.getByText('Acme Publishing', { exact: false }).first().textContent()).toContain(
      USERS.acmeOwner.displayName,
    );
    await context.close();
  });
});
