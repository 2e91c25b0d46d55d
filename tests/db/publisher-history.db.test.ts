/**
 * publisher_changes: the trigger writes one row per changed field (old, new, who, when), clients
 * backfill by version, and RLS lets a caller read exactly the history of publishers they may read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyClaims, isPostgresError, type Queryable } from '../../local-stack/db/index.ts';
import { ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { asCaller, attempt, CALLERS, claimsFor, type Caller } from './_as-user.ts';

const P = PUBLISHERS;

interface ChangeRow {
  version: number;
  field: string;
  old_value: unknown;
  new_value: unknown;
  changed_by: string | null;
}

const historySql = `select version, field, old_value, new_value, changed_by from public.publisher_changes
  where publisher_id = $1 and version > $2 order by version, field`;

async function history(tx: Queryable, publisherId: string, sinceVersion = 0): Promise<ChangeRow[]> {
  return (await tx.query<ChangeRow>(historySql, [publisherId, sinceVersion])).rows;
}

/** Switches the running transaction to `caller` (claims are transaction-local). */
async function become(tx: Queryable, caller: Caller): Promise<void> {
  await tx.query('reset role');
  await applyClaims(tx, claimsFor(caller));
}

describe.each(BACKENDS)('publisher_changes on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  it('holds the seeded state of every publisher as version 1 (old_value null)', async () => {
    const rows = await asCaller(t.db, 'acmeOwner', (tx) => history(tx, P.sunriseBooks.id));
    expect(rows).toEqual([
      {
        version: 1,
        field: 'custom_fields',
        old_value: null,
        new_value: { genre: 'fiction', titles: 120 },
        changed_by: null,
      },
      { version: 1, field: 'name', old_value: null, new_value: 'Sunrise Books', changed_by: null },
      { version: 1, field: 'owner_id', old_value: null, new_value: USERS.acmeWest.id, changed_by: null },
      { version: 1, field: 'status', old_value: null, new_value: 'active', changed_by: null },
      { version: 1, field: 'territory', old_value: null, new_value: 'US_West', changed_by: null },
    ]);
  });

  it('writes one row per changed field with old value, new value and the editor', async () => {
    const rows = await asCaller(t.db, 'acmeWest', async (tx) => {
      await tx.query(`update public.publishers set name = 'Sunrise Books Ltd', status = 'negotiating' where id = $1`, [
        P.sunriseBooks.id,
      ]);
      // Same values again: no new version, no history.
      await tx.query(`update public.publishers set name = 'Sunrise Books Ltd' where id = $1`, [P.sunriseBooks.id]);
      await become(tx, 'acmeOwner');
      await tx.query(
        `update public.publishers set owner_id = null, custom_fields = '{"genre":"fiction"}' where id = $1`,
        [P.sunriseBooks.id],
      );
      return history(tx, P.sunriseBooks.id, 1);
    });
    expect(rows).toEqual([
      {
        version: 2,
        field: 'name',
        old_value: 'Sunrise Books',
        new_value: 'Sunrise Books Ltd',
        changed_by: USERS.acmeWest.id,
      },
      { version: 2, field: 'status', old_value: 'active', new_value: 'negotiating', changed_by: USERS.acmeWest.id },
      {
        version: 3,
        field: 'custom_fields',
        old_value: { genre: 'fiction', titles: 120 },
        new_value: { genre: 'fiction' },
        changed_by: USERS.acmeOwner.id,
      },
      // A column set to null is JSON null, not a missing value.
      { version: 3, field: 'owner_id', old_value: USERS.acmeWest.id, new_value: null, changed_by: USERS.acmeOwner.id },
    ]);
  });

  it('stamps each row with the version and time the publisher row got', async () => {
    const check = await asCaller(t.db, 'acmeOwner', async (tx) => {
      await tx.query(`update public.publishers set status = 'lost' where id = $1`, [P.harborHouse.id]);
      const { rows } = await tx.query<{ same: boolean }>(
        `select c.version = p.version and c.changed_at = p.updated_at and c.organization_id = p.organization_id as same
           from public.publisher_changes c join public.publishers p on p.id = c.publisher_id
          where c.publisher_id = $1 and c.version = 2`,
        [P.harborHouse.id],
      );
      return rows;
    });
    expect(check).toEqual([{ same: true }]);
  });

  it('backfills only what came after the version a client has', async () => {
    const rows = await asCaller(t.db, 'acmeOwner', async (tx) => {
      for (const status of ['negotiating', 'active', 'churned']) {
        await tx.query(`update public.publishers set status = $2 where id = $1`, [P.libertyPrint.id, status]);
      }
      return history(tx, P.libertyPrint.id, 2);
    });
    expect(rows.map((r) => [r.version, r.field, r.old_value, r.new_value])).toEqual([
      [3, 'status', 'negotiating', 'active'],
      [4, 'status', 'active', 'churned'],
    ]);
  });

  it('records the service role acting for a user, and nobody when it names no one', async () => {
    const rows = await t.db.transaction(
      async (tx) => {
        await applyClaims(tx, { role: 'service_role' });
        await tx.query(`update public.publishers set name = 'Pacific Press Co', updated_by = $2 where id = $1`, [
          P.pacificPress.id,
          USERS.acmeOwner.id,
        ]);
        await tx.query(`update public.publishers set status = 'active' where id = $1`, [P.pacificPress.id]);
        return history(tx, P.pacificPress.id, 1);
      },
      { rollback: true },
    );
    expect(rows.map((r) => [r.version, r.field, r.changed_by])).toEqual([
      [2, 'name', USERS.acmeOwner.id],
      [3, 'status', null],
    ]);
  });

  it('starts the history of a new publisher at version 1', async () => {
    const rows = await asCaller(t.db, 'acmeWest', async (tx) => {
      const { rows: created } = await tx.query<{ id: string }>(
        `insert into public.publishers (organization_id, name, territory) values ($1, 'Fresh Ink', 'US_West') returning id`,
        [ORGS.acme.id],
      );
      return history(tx, created[0]!.id);
    });
    expect(rows).toEqual([
      { version: 1, field: 'custom_fields', old_value: null, new_value: {}, changed_by: USERS.acmeWest.id },
      { version: 1, field: 'name', old_value: null, new_value: 'Fresh Ink', changed_by: USERS.acmeWest.id },
      { version: 1, field: 'owner_id', old_value: null, new_value: null, changed_by: USERS.acmeWest.id },
      { version: 1, field: 'status', old_value: null, new_value: 'prospect', changed_by: USERS.acmeWest.id },
      { version: 1, field: 'territory', old_value: null, new_value: 'US_West', changed_by: USERS.acmeWest.id },
    ]);
  });

  describe('who reads the history', () => {
    const readers: Record<string, readonly Caller[]> = {
      [P.sunriseBooks.id]: ['acmeOwner', 'acmeWest', 'acmeAgent'],
      [P.harborHouse.id]: ['acmeOwner', 'acmeAgent'],
      [P.globexTomes.id]: ['globexMember'],
    };
    it.each(Object.entries(readers))('publisher %s', async (publisherId, allowed) => {
      for (const caller of CALLERS.filter((c) => c !== 'anon')) {
        const rows = await asCaller(t.db, caller, (tx) => history(tx, publisherId));
        expect({ caller, rows: rows.length }).toEqual({ caller, rows: allowed.includes(caller) ? 5 : 0 });
      }
    });

    it('anon is refused outright (no grant): 42501', async () => {
      const error = await asCaller(t.db, 'anon', (tx) => history(tx, P.sunriseBooks.id)).catch((e: unknown) => e);
      expect(isPostgresError(error) && error.code).toBe('42501');
    });

    it('follows the publisher: once it leaves her territory, west no longer reads its history', async () => {
      const seen = await asCaller(t.db, 'acmeOwner', async (tx) => {
        await tx.query(`update public.publishers set territory = 'US_East' where id = $1`, [P.sunriseBooks.id]);
        await become(tx, 'acmeWest');
        return (await history(tx, P.sunriseBooks.id)).length;
      });
      expect(seen).toBe(0);
    });
  });

  describe('nobody but the trigger writes it', () => {
    const writes = [
      {
        name: 'insert a forged change',
        sql: `insert into public.publisher_changes (organization_id, publisher_id, version, field, new_value, changed_at)
              values ($1, $2, 9, 'name', '"forged"', now())`,
        params: [ORGS.acme.id, P.sunriseBooks.id],
      },
      {
        name: 'rewrite a change',
        sql: `update public.publisher_changes set new_value = '"forged"' where publisher_id = $1`,
        params: [P.sunriseBooks.id],
      },
      {
        name: 'erase the history',
        sql: `delete from public.publisher_changes where publisher_id = $1`,
        params: [P.sunriseBooks.id],
      },
    ];
    describe.each(writes)('$name', ({ sql, params }) => {
      it.each(CALLERS)('by %s', async (caller) => {
        expect(await attempt(t.db, caller, sql, params)).toBe('refused');
      });
    });
  });

  it('is indexed for backfill by (publisher_id, version) and (organization_id, changed_at)', async () => {
    const { rows } = await t.db.query<{ def: string }>(
      `select pg_get_indexdef(indexrelid) as def from pg_index where indrelid = 'public.publisher_changes'::regclass order by 1`,
    );
    const defs = rows.map((r) => r.def.replace(/^.* USING btree /, ''));
    expect(defs).toEqual(
      expect.arrayContaining(['(publisher_id, version, field)', '(organization_id, changed_at)', '(changed_by)']),
    );
  });
});
