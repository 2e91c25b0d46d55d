/**
 * Two people on one publisher record: each sees the other in "Viewing now", sees which field the
 * other edits and what they type, and the second of two colliding saves gets the "Conflict" dialog.
 */
import { describe, expect, it } from 'vitest';
import { PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { screenshot } from './_browser.ts';
import { connected, useE2eSuite } from './_suite.ts';

const suite = useE2eSuite();
const path = `/publishers/${PUBLISHERS.sunriseBooks.id}`;

describe('publisher record', () => {
  it('shows presence, live drafts and the Conflict dialog for a colliding save', async () => {
    const dashboard = await suite.open(USERS.acmeOwner.email);
    const owner = await suite.open(USERS.acmeOwner.email, path);
    const west = await suite.open(USERS.acmeWest.email, path);
    await Promise.all([connected(owner), connected(west)]);
    const viewing = (page: typeof owner) => page.getByRole('list', { name: 'Viewing now' });
    await viewing(owner).getByRole('listitem').filter({ hasText: USERS.acmeWest.displayName }).waitFor();
    await viewing(west).getByRole('listitem').filter({ hasText: USERS.acmeOwner.displayName }).waitFor();

    // The owner types a new name: west sees the field being edited and the draft, live.
    await owner.getByLabel('Name').click();
    await owner.getByLabel('Name').fill('Sunrise Books Ltd');
    await viewing(west)
      .getByRole('listitem')
      .filter({ hasText: `${USERS.acmeOwner.displayName} — editing name` })
      .waitFor();
    await west.getByText(`${USERS.acmeOwner.displayName} is typing: Sunrise Books Ltd`).waitFor();
    await screenshot(west, 'publisher-drafts');

    // Both change the status; the owner saves first, west's save collides.
    await west.getByLabel('Status').fill('signed');
    await owner.getByLabel('Status').fill('lost');
    await owner.getByRole('button', { name: 'Save' }).click();
    await owner.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await west.getByRole('button', { name: 'Save' }).click();
    const dialog = west.getByRole('dialog', { name: 'Conflict' });
    await dialog.waitFor();
    const row = dialog.getByRole('row').filter({ hasText: 'status' });
    expect(await row.textContent()).toContain('signed');
    expect(await row.textContent()).toContain('lost');
    await screenshot(west, 'conflict');

    // West overwrites: the owner's page shows west's value, live.
    await dialog.getByRole('button', { name: 'Overwrite with mine' }).click();
    await dialog.waitFor({ state: 'detached' });
    await owner.waitForFunction(
      () => (document.getElementById('field-status') as HTMLInputElement | null)?.value === 'signed',
      null,
      { timeout: 15_000 },
    );
    expect(await owner.getByLabel('Name').inputValue()).toBe('Sunrise Books Ltd');
    // The dashboard's publisher list shows the saved record live.
    await dashboard
      .getByRole('list', { name: 'Publishers' })
      .getByRole('listitem')
      .filter({ hasText: 'Sunrise Books Ltd' })
      .filter({ hasText: 'signed' })
      .waitFor();
  });

  it('saves different custom field keys edited at once by two people; the same key is a Conflict', async () => {
    const owner = await suite.open(USERS.acmeOwner.email, path);
    const west = await suite.open(USERS.acmeWest.email, path);
    await Promise.all([connected(owner), connected(west)]);
    for (const page of [owner, west]) await page.getByLabel('genre', { exact: true }).waitFor();
    const value = (page: typeof owner, label: string) => page.getByLabel(label, { exact: true }).inputValue();
    const saved = async (page: typeof owner) => {
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved' }).last().waitFor();
    };

    // Both type before either saves: the owner the genre, West the titles.
    await owner.getByLabel('genre', { exact: true }).fill('poetry');
    await west.getByLabel('titles', { exact: true }).fill('150');
    await saved(owner);
    await saved(west);
    expect(await west.getByRole('dialog', { name: 'Conflict' }).count()).toBe(0);
    for (const page of [owner, west]) {
      await page.waitForFunction(
        () =>
          (document.getElementById('field-custom_fields_genre') as HTMLInputElement | null)?.value === 'poetry' &&
          (document.getElementById('field-custom_fields_titles') as HTMLInputElement | null)?.value === '150',
      );
    }
    expect([await value(owner, 'genre'), await value(west, 'titles')]).toEqual(['poetry', '150']);

    // The same key: the second save gets the Conflict dialog, naming the key.
    await owner.getByLabel('genre', { exact: true }).fill('drama');
    await west.getByLabel('genre', { exact: true }).fill('essays');
    await saved(owner);
    await west.getByRole('button', { name: 'Save' }).click();
    const dialog = west.getByRole('dialog', { name: 'Conflict' });
    await dialog.waitFor();
    const row = await dialog.getByRole('row').filter({ hasText: 'genre' }).textContent();
    expect(row).toContain('essays');
    expect(row).toContain('drama');
    await dialog.getByRole('button', { name: 'Keep theirs' }).click();
    expect(await value(west, 'genre')).toBe('drama');
  });

  it('offers ownership to the people who may own the record, and its owner hands it on', async () => {
    const options = (page: Awaited<ReturnType<typeof suite.open>>) =>
      page.getByLabel('Transfer to').locator('option').allTextContents();
    // A US_East record: Wren Walker (US_West only) and the agent account may not own it.
    const owner = await suite.open(USERS.acmeOwner.email, `/publishers/${PUBLISHERS.harborHouse.id}`);
    await connected(owner);
    await owner.getByRole('button', { name: 'Transfer ownership' }).waitFor();
    await expect.poll(() => options(owner)).toEqual(['Nobody', USERS.acmeOwner.displayName]);

    // Sunrise Books is Wren's: as its owner (a member) she may hand it on, to people who see US_West.
    const west = await suite.open(USERS.acmeWest.email, path);
    await connected(west);
    const ownerCard = west.getByRole('region', { name: 'Owner' });
    await expect.poll(() => options(west)).toEqual(['Nobody', USERS.acmeOwner.displayName, USERS.acmeWest.displayName]);
    await west.getByLabel('Transfer to').selectOption({ label: USERS.acmeOwner.displayName });
    await west.getByRole('button', { name: 'Transfer ownership' }).click();
    await ownerCard
      .getByRole('status')
      .filter({ hasText: `Transferred to ${USERS.acmeOwner.displayName}` })
      .waitFor();
    // No longer its owner, she may not give it away again.
    await ownerCard.getByText("Owners, admins and the record's owner transfer ownership.").waitFor();
    expect(await west.getByRole('button', { name: 'Transfer ownership' }).count()).toBe(0);
  });

  it('answers 404 for a record the user may not read (another territory, another organisation)', async () => {
    const west = await suite.open(USERS.acmeWest.email);
    for (const publisher of [PUBLISHERS.harborHouse, PUBLISHERS.globexTomes]) {
      const response = await west.goto(`/publishers/${publisher.id}`);
      expect(response?.status()).toBe(404);
      expect(await west.locator('body').textContent()).not.toContain(publisher.name);
    }
  });
});
