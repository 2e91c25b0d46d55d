/**
 * save_publisher with custom fields per key (`custom_fields.<key>`): two people editing different
 * keys of one record from the same version both land; the same key is a conflict named after
 * it; JSON null removes a key; the whole-object form keeps its meaning and cannot be mixed in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyClaims, isPostgresError, withClaims, type Queryable } from '../../local-stack/db/index.ts';
import { PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { asCaller, claimsFor, type Caller } from './_as-user.ts';

const SUNRISE = PUBLISHERS.sunriseBooks.id;

interface SaveResult {
  ok: boolean;
  publisher: { custom_fields: Record<string, unknown>; version: number };
  conflicts?: { field: string; yours: unknown; current: unknown; updatedBy: string | null; updatedAt: string }[];
}

async function save(tx: Queryable, baseVersion: number, changes: unknown): Promise<SaveResult> {
  const { rows } = await tx.query<{ result: SaveResult }>(`select public.save_publisher($1, $2, $3::jsonb) as result`, [
    SUNRISE,
    baseVersion,
    JSON.stringify(changes),
  ]);
  return rows[0]!.result;
}

async function become(tx: Queryable, caller: Caller): Promise<void> {
  await tx.query('reset role');
  await applyClaims(tx, claimsFor(caller));
}

describe.each(BACKENDS)('save_publisher per custom field key on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  /** The owner saves first, then West from the same base version: what West gets back. */
  const ownerThenWest = (ownerChanges: unknown, westChanges: unknown) =>
    withClaims(
      t.db,
      claimsFor('acmeOwner'),
      async (tx) => {
        const first = await save(tx, 1, ownerChanges);
        await become(tx, 'acmeWest');
        return { first, second: await save(tx, 1, westChanges) };
      },
      { rollback: true },
    );

  it('different keys from the same version: both saves land, each keeps the other', async () => {
    const { first, second } = await ownerThenWest({ 'custom_fields.genre': 'poetry' }, { 'custom_fields.titles': 150 });
    expect(first).toMatchObject({ ok: true, publisher: { version: 2 } });
    expect(second).toMatchObject({
      ok: true,
      publisher: { version: 3, custom_fields: { genre: 'poetry', titles: 150 } },
    });
  });

  it('the same key: a conflict named custom_fields.<key>, with both values and who changed it', async () => {
    const { second } = await ownerThenWest({ 'custom_fields.genre': 'poetry' }, { 'custom_fields.genre': 'drama' });
    expect(second).toMatchObject({
      ok: false,
      publisher: { version: 2, custom_fields: { genre: 'poetry', titles: 120 } },
      conflicts: [
        {
          field: 'custom_fields.genre',
          yours: 'drama',
          current: 'poetry',
          updatedBy: USERS.acmeOwner.id,
          updatedAt: expect.stringMatching(/Z$/),
        },
      ],
    });
  });

  it('the same key with the same value is no conflict; other keys of a save still apply', async () => {
    const same = await ownerThenWest({ 'custom_fields.genre': 'poetry' }, { 'custom_fields.genre': 'poetry' });
    expect(same.second.ok).toBe(true);
    const mixed = await ownerThenWest(
      { 'custom_fields.genre': 'poetry' },
      { 'custom_fields.genre': 'drama', 'custom_fields.imprint': 'Dawn' },
    );
    expect(mixed.second).toMatchObject({
      ok: false,
      publisher: { custom_fields: { genre: 'poetry', titles: 120, imprint: 'Dawn' } },
      conflicts: [{ field: 'custom_fields.genre' }],
    });
  });

  it('JSON null removes a key; removing one someone else changed is a conflict', async () => {
    const removed = await asCaller(t.db, 'acmeWest', (tx) => save(tx, 1, { 'custom_fields.titles': null }));
    expect(removed).toMatchObject({ ok: true, publisher: { custom_fields: { genre: 'fiction' } } });
    expect(removed.publisher.custom_fields).not.toHaveProperty('titles');
    const { second } = await ownerThenWest({ 'custom_fields.titles': 121 }, { 'custom_fields.titles': null });
    expect(second.conflicts).toEqual([
      expect.objectContaining({ field: 'custom_fields.titles', yours: null, current: 121 }),
    ]);
  });

  it('the whole object still conflicts when anyone else changed any key', async () => {
    const { second } = await ownerThenWest({ 'custom_fields.genre': 'poetry' }, { custom_fields: { titles: 150 } });
    expect(second.conflicts).toEqual([expect.objectContaining({ field: 'custom_fields' })]);
  });

  it('one change row per save in the history, and one activity item per key', async () => {
    const counts = await withClaims(
      t.db,
      claimsFor('acmeOwner'),
      async (tx) => {
        await save(tx, 1, { 'custom_fields.genre': 'poetry', 'custom_fields.imprint': 'Dawn', status: 'signed' });
        await tx.query('reset role');
        const history = await tx.query(
          `select field from public.publisher_changes where publisher_id = $1 and version = 2`,
          [SUNRISE],
        );
        const items = await tx.query(
          `select message from public.team_updates where publisher_id = $1 order by created_at`,
          [SUNRISE],
        );
        return { history: history.rows.map((r) => r.field), items: items.rows.map((r) => r.message) };
      },
      { rollback: true },
    );
    expect(counts.history.sort()).toEqual(['custom_fields', 'status']);
    expect(counts.items).toEqual([
      `${USERS.acmeOwner.displayName} changed status: active → signed`,
      `${USERS.acmeOwner.displayName} changed custom field genre: fiction → poetry`,
      `${USERS.acmeOwner.displayName} changed custom field imprint: none → Dawn`,
    ]);
  });

  it.each([
    [{ 'custom_fields.': 'x' }, 'a custom field key is 1 to 100 characters, got 0'],
    [{ [`custom_fields.${'k'.repeat(101)}`]: 'x' }, 'a custom field key is 1 to 100 characters, got 101'],
    [{ custom_fields: {}, 'custom_fields.genre': 'x' }, 'changes may set custom_fields as a whole or per key'],
  ])('refuses %j with 22023', async (changes, message) => {
    const error = await asCaller(t.db, 'acmeOwner', (tx) => save(tx, 1, changes)).catch((e: unknown) => e);
    expect(isPostgresError(error) && error.code).toBe('22023');
    expect((error as Error).message).toContain(message);
  });
});
