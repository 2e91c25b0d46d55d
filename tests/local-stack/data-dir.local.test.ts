import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPGlite } from '../../local-stack/db/pglite-database.ts';
import { prepareDatabase } from '../../local-stack/db/prepare-database.ts';
import { ORGS } from '../../supabase/fixture.ts';

/**
 * `npm start` keeps its database in PUBDEV_DATA_DIR. The first start renames PGlite's bootstrap
 * superuser to supabase_admin and creates the platform's regular `postgres`; the next start must
 * open that same directory as the superuser again, apply nothing twice and keep the data.
 */
describe('a PGlite data directory the stack made', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pubdev-data-dir-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reopens as the superuser with its migrations, seed and data, and runs migrations as postgres again', async () => {
    const first = await openPGlite({ dataDir: dir });
    const made = await prepareDatabase(first);
    expect(made.applied.length).toBeGreaterThan(0);
    expect(made.seeded).toBe(true);
    await first.exec(
      `update public.organizations set name = 'Acme, renamed before the restart' where id = '${ORGS.acme.id}'`,
    );
    await first.close();

    const again = await openPGlite({ dataDir: dir });
    try {
      expect(await prepareDatabase(again)).toEqual({ applied: [], seeded: false });
      const { rows } = await again.query<{ session_user: string; superuser: boolean; name: string }>(
        `select session_user, (select rolsuper from pg_roles where rolname = session_user) as superuser,
                (select name from public.organizations where id = $1) as name`,
        [ORGS.acme.id],
      );
      expect(rows).toEqual([
        { session_user: 'supabase_admin', superuser: true, name: 'Acme, renamed before the restart' },
      ]);
      const asPostgres = await again.transaction(async (tx) => {
        await tx.exec('set local session authorization postgres');
        return (await tx.query<{ who: string }>('select current_user as who')).rows;
      });
      expect(asPostgres).toEqual([{ who: 'postgres' }]);
    } finally {
      await again.close();
    }
  });
});
