/**
 * Profiles: every Auth user gets one when Auth creates them (named from their sign-up metadata,
 * else their email); people read the profiles of those they share an organisation with, and
 * nobody else's; each person edits only their own.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { asCaller, attempt, type Caller } from './_as-user.ts';

const U = USERS;

async function visibleNames(t: TestDatabase, caller: Caller): Promise<string[]> {
  return asCaller(t.db, caller, async (tx) => {
    const { rows } = await tx.query<{ display_name: string }>(
      'select display_name from public.profiles order by display_name',
    );
    return rows.map((r) => r.display_name);
  });
}

describe.each(BACKENDS)('profiles on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  it('gives each seeded user the display name of their sign-up metadata', async () => {
    const { rows } = await t.db.query<{ user_id: string; display_name: string }>(
      'select user_id, display_name from public.profiles',
    );
    const byId = Object.fromEntries(rows.map((r) => [r.user_id, r.display_name]));
    for (const user of Object.values(U)) expect(byId[user.id]).toBe(user.displayName);
  });

  it.each([
    ['acmeOwner', ['Acme Agent', 'Ada Okafor', 'Wren Walker']],
    ['acmeWest', ['Acme Agent', 'Ada Okafor', 'Wren Walker']],
    ['globexMember', ['Gil Moreau']],
    ['anon', []],
  ] as const)('%s reads the profiles of the people they work with, and no others', async (caller, names) => {
    expect(await visibleNames(t, caller)).toEqual(names);
  });

  it('creates a profile when Auth creates a user: from display_name, full_name, or the email', async () => {
    const cases = [
      { meta: { display_name: '  Nia Ndiaye ' }, email: 'nia@acme.test', expected: 'Nia Ndiaye' },
      { meta: { full_name: 'Omar Haddad' }, email: 'omar@acme.test', expected: 'Omar Haddad' },
      { meta: {}, email: 'pat.lee@acme.test', expected: 'pat.lee' },
    ];
    await t.db.transaction(
      async (tx) => {
        for (const c of cases) {
          const id = randomUUID();
          await tx.query(
            `insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
             values ($1, 'authenticated', 'authenticated', $2, $3, now(), now())`,
            [id, c.email, JSON.stringify(c.meta)],
          );
          const { rows } = await tx.query<{ display_name: string }>(
            'select display_name from public.profiles where user_id = $1',
            [id],
          );
          expect(rows[0]?.display_name).toBe(c.expected);
        }
      },
      { rollback: true },
    );
  });

  it('lets each person rename themself, and nobody rename someone else', async () => {
    const rename = `update public.profiles set display_name = 'Renamed' where user_id = $1`;
    expect(await attempt(t.db, 'acmeWest', rename, [U.acmeWest.id])).toBe('allowed');
    expect(await attempt(t.db, 'acmeOwner', rename, [U.acmeWest.id])).toBe('refused');
    expect(await attempt(t.db, 'globexMember', rename, [U.acmeWest.id])).toBe('refused');
    expect(await attempt(t.db, 'anon', rename, [U.acmeWest.id])).toBe('refused');
  });

  it('refuses profiles made or moved by clients, and avatar URLs that are not http(s)', async () => {
    const insert = `insert into public.profiles (user_id, display_name) values ($1, 'Impostor')`;
    expect(await attempt(t.db, 'acmeWest', insert, [randomUUID()])).toBe('refused');
    const move = `update public.profiles set user_id = $1 where user_id = $2`;
    expect(await attempt(t.db, 'acmeWest', move, [randomUUID(), U.acmeWest.id])).toBe('refused');
    await expect(
      asCaller(t.db, 'acmeWest', (tx) =>
        tx.query(`update public.profiles set avatar_url = 'javascript:alert(1)' where user_id = $1`, [U.acmeWest.id]),
      ),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
