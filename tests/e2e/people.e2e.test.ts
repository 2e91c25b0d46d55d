/**
 * People and access in Chromium on the production dashboard: an owner invites new@acme.test as
 * a US_West member; the invitee signs up through the invitation link, lands on the dashboard and
 * appears in the owner's "Online now" by name; the owner moves them to US_East and, without a
 * reload, their publishers and feed change within 5 s; the owner removes them and within 5 s
 * their page says they no longer have access and their socket holds no topic of the organisation
 * (read from the WebSocket frames Chromium sees). A person in two organisations switches between
 * them, and the choice is remembered.
 */
import { createClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { LOCAL_SERVICE_ROLE_KEY } from '../../local-stack/index.ts';
import { ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { screenshot } from './_browser.ts';
import { watchSocketTopics } from './_socket-topics.ts';
import { connected, useE2eSuite } from './_suite.ts';

const suite = useE2eSuite();
const INVITEE = { email: 'new@acme.test', name: 'Nia Ndiaye', password: 'correct horse battery staple' };
/** The promise of the design: a change of rights reaches an open page within this. */
const WITHIN = { timeout: 5000 };

describe('people and access', () => {
  it('invite, sign up, appear by name; moved to US_East and removed, live', async () => {
    const owner = await suite.open('owner@acme.test');
    await connected(owner);

    // ── The owner invites new@acme.test as a US_West member ──
    const invite = owner.getByRole('form', { name: 'Invite someone' });
    await invite.getByLabel('Email').fill(INVITEE.email);
    await invite.getByLabel('Role').selectOption('member');
    await invite.getByLabel('Territories').fill('US_West');
    await invite.getByRole('button', { name: 'Send invitation' }).click();
    const link = await owner.locator('[data-invite-link]').getAttribute('href');
    expect(link).toMatch(/^\/invite\/[0-9a-f]{64}$/);
    await owner.getByRole('list', { name: 'Open invitations' }).getByText(INVITEE.email).waitFor();

    // ── The invitee opens the link, signs up, lands on the dashboard ──
    const context = await suite.browser.newContext({
      baseURL: suite.dashboard.url,
      viewport: { width: 1280, height: 900 },
    });
    try {
      const page = await context.newPage();
      const sockets = watchSocketTopics(page);
      await page.goto(link!);
      await page.getByText(`Ada Okafor invited ${INVITEE.email} to ${ORGS.acme.name} as member (US_West)`).waitFor();
      await page.getByRole('link', { name: 'Sign up' }).click();
      await page.getByLabel('Display name').fill(INVITEE.name);
      expect(await page.getByLabel('Email').inputValue()).toBe(INVITEE.email);
      await page.getByLabel('Password').fill(INVITEE.password);
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.waitForURL((url) => url.pathname === '/', { timeout: 20_000 });
      await connected(page);
      const publishers = page.getByRole('list', { name: 'Publishers' });
      const feed = page.getByRole('list', { name: 'Team activity' });
      await publishers.getByText(PUBLISHERS.sunriseBooks.name).waitFor();
      await feed.getByText('Sunrise Books assigned to west@acme.test').waitFor();
      expect(await publishers.getByText(PUBLISHERS.harborHouse.name).count()).toBe(0);

      // ── … and appears in the owner's "Online now" and "People" under their display name ──
      await owner
        .getByRole('list', { name: 'Online now' })
        .getByRole('listitem')
        .filter({ hasText: INVITEE.name })
        .waitFor();
      const row = owner.getByRole('list', { name: 'People' }).getByRole('listitem').filter({ hasText: INVITEE.name });
      await row.filter({ hasText: 'member · US_West' }).waitFor();
      await screenshot(owner, 'people');

      // ── Moved to US_East: their list and feed change without a reload, within 5 s ──
      await row.getByLabel(`Territories of ${INVITEE.name}`).fill('US_East');
      await row.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: 'You were moved to US_East' }).waitFor(WITHIN);
      await publishers.getByText(PUBLISHERS.harborHouse.name).waitFor(WITHIN);
      await publishers.getByText(PUBLISHERS.sunriseBooks.name).waitFor({ ...WITHIN, state: 'detached' });
      await feed.getByText('Harbor House moves to the East coast team').waitFor(WITHIN);
      await feed.getByText('Sunrise Books assigned to west@acme.test').waitFor({ ...WITHIN, state: 'detached' });
      await expect.poll(() => sockets.held(), WITHIN).toContain(`org:${ORGS.acme.id}:territory:US_East`);
      await expect.poll(() => sockets.held(), WITHIN).not.toContain(`org:${ORGS.acme.id}:territory:US_West`);

      // ── Removed: within 5 s the page says so and the socket holds nothing of the organisation ──
      await row.getByRole('button', { name: 'Remove' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: `You no longer have access to ${ORGS.acme.name}` })
        .waitFor(WITHIN);
      await expect
        .poll(() => sockets.held().filter((topic) => topic.startsWith(`org:${ORGS.acme.id}`)), WITHIN)
        .toEqual([]);
      expect(sockets.held()).toEqual([expect.stringMatching(/^user:[0-9a-f-]{36}$/)]);
      expect(await page.getByRole('list', { name: 'Publishers' }).count()).toBe(0);
      await screenshot(page, 'access-removed');
      await owner
        .getByRole('list', { name: 'People' })
        .getByText(INVITEE.name)
        .waitFor({ ...WITHIN, state: 'detached' });
    } finally {
      await context.close();
    }
  });

  it('a person in two organisations switches between them; the choice is remembered', async () => {
    const service = createClient(suite.stack.url, LOCAL_SERVICE_ROLE_KEY, { auth: { persistSession: false } });
    const added = await service.from('organization_members').insert({
      organization_id: ORGS.acme.id,
      user_id: USERS.globexMember.id,
      role: 'member',
      territories: ['US_West'],
    });
    expect(added.error).toBeNull();

    // Globex is Gil's first organisation, so that is where the dashboard opens.
    const page = await suite.open(USERS.globexMember.email);
    await page.getByText(`${ORGS.globex.name} · signed in as ${USERS.globexMember.displayName}`).waitFor();
    const switcher = page.getByLabel('Organisation');
    expect(await switcher.locator('option').allTextContents()).toEqual([ORGS.globex.name, ORGS.acme.name]);

    await switcher.selectOption({ label: ORGS.acme.name });
    await page.waitForURL((url) => url.searchParams.get('org') === ORGS.acme.id);
    await page.getByText(`${ORGS.acme.name} · signed in as ${USERS.globexMember.displayName}`).waitFor();
    await connected(page);
    await page.getByRole('list', { name: 'Publishers' }).getByText(PUBLISHERS.sunriseBooks.name).waitFor();
    expect(await page.getByText(PUBLISHERS.globexTomes.name).count()).toBe(0);

    // The choice is remembered: the plain address opens Acme again.
    await page.goto('/');
    await page.getByText(`${ORGS.acme.name} · signed in as ${USERS.globexMember.displayName}`).waitFor();
  });
});
