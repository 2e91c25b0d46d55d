/**
 * save_publisher(publisher_id, base_version, changes): fields nobody else touched are applied,
 * a field someone else changed since base_version comes back as a structured conflict, concurrent
 * saves of different fields both land, and bad input or a hidden record is a precise error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyClaims, isPostgresError, withClaims, type Queryable } from '../../local-stack/db/index.ts';
import { PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { asCaller, claimsFor, type Caller } from './_as-user.ts';

const P = PUBLISHERS;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface SaveResult {
  ok: boolean;
  publisher: Record<string, unknown>;
  conflicts?: { field: string; yours: unknown; current: unknown; updatedBy: string | null; updatedAt: string }[];
}

async function save(
  tx: Queryable,
  publisherId: string,
  baseVersion: number | null,
  changes: unknown,
): Promise<SaveResult> {
  const { rows } = await tx.query<{ result: SaveResult }>(`select public.save_publisher($1, $2, $3::jsonb) as result`, [
    publisherId,
    baseVersion,
    JSON.stringify(changes),
  ]);
  return rows[0]!.result;
}

async function become(tx: Queryable, caller: Caller): Promise<void> {
  await tx.query('reset role');
  await applyClaims(tx, claimsFor(caller));
}

/** The SQLSTATE and message a call fails with (the test fails if it succeeds). */
async function failure(caller: Caller, publisherId: string, baseVersion: number | null, changes: unknown) {
  const db = t.db;
  const error = await asCaller(db, caller, (tx) => save(tx, publisherId, baseVersion, changes)).then(
    (result) => ({ unexpected: result }),
    (e: unknown) => e,
  );
  if (!isPostgresError(error)) throw new Error(`expected a database error, got ${JSON.stringify(error)}`);
  return { code: error.code, message: error.message };
}

let t: TestDatabase;

describe.each(BACKENDS)('save_publisher on %s', (backend) => {
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  it('applies every field when nobody else changed the record, and returns the row', async () => {
    const result = await asCaller(t.db, 'acmeWest', (tx) =>
      save(tx, P.sunriseBooks.id, 1, { name: 'Sunrise Books Ltd', territory: 'US_West', owner_id: null }),
    );
    expect(result).toMatchObject({
      ok: true,
      publisher: {
        id: P.sunriseBooks.id,
        name: 'Sunrise Books Ltd',
        territory: 'US_West',
        owner_id: null,
        version: 2,
        updated_by: USERS.acmeWest.id,
      },
    });
    expect(result.conflicts).toBeUndefined();
  });

  it('refuses a field someone else changed since base_version and applies the others', async () => {
    const { result, row } = await asCaller(t.db, 'acmeOwner', async (tx) => {
      await tx.query(`update public.publishers set status = 'negotiating' where id = $1`, [P.sunriseBooks.id]);
      await become(tx, 'acmeWest');
      const result = await save(tx, P.sunriseBooks.id, 1, { status: 'lost', name: 'Sunrise Books Ltd' });
      const { rows } = await tx.query(`select name, status, version from public.publishers where id = $1`, [
        P.sunriseBooks.id,
      ]);
      return { result, row: rows[0] };
    });
    expect(result).toMatchObject({
      ok: false,
      publisher: { name: 'Sunrise Books Ltd', status: 'negotiating', version: 3 },
    });
    expect(result.conflicts).toEqual([
      {
        field: 'status',
        yours: 'lost',
        current: 'negotiating',
        updatedBy: USERS.acmeOwner.id,
        updatedAt: expect.stringMatching(ISO),
      },
    ]);
    expect(row).toEqual({ name: 'Sunrise Books Ltd', status: 'negotiating', version: 3 });
  });

  it('reports every conflicting field with the last change by someone else', async () => {
    const result = await asCaller(t.db, 'acmeOwner', async (tx) => {
      await tx.query(`update public.publishers set custom_fields = '{"genre":"poetry"}' where id = $1`, [
        P.pacificPress.id,
      ]);
      await tx.query(`update public.publishers set name = 'Pacific Press I' where id = $1`, [P.pacificPress.id]);
      await tx.query(`update public.publishers set name = 'Pacific Press II' where id = $1`, [P.pacificPress.id]);
      await become(tx, 'acmeWest');
      return save(tx, P.pacificPress.id, 1, { name: 'Pacific Press West', custom_fields: { genre: 'maps' } });
    });
    expect(result.ok).toBe(false);
    expect(result.conflicts).toEqual([
      {
        field: 'custom_fields',
        yours: { genre: 'maps' },
        current: { genre: 'poetry' },
        updatedBy: USERS.acmeOwner.id,
        updatedAt: expect.stringMatching(ISO),
      },
      {
        field: 'name',
        yours: 'Pacific Press West',
        current: 'Pacific Press II',
        updatedBy: USERS.acmeOwner.id,
        updatedAt: expect.stringMatching(ISO),
      },
    ]);
    expect(result.publisher).toMatchObject({ name: 'Pacific Press II', version: 4 });
  });

  it('is no conflict when the change since base_version was my own, or already holds my value', async () => {
    const results = await asCaller(t.db, 'acmeOwner', async (tx) => {
      const mine = await save(tx, P.harborHouse.id, 1, { status: 'active' });
      const again = await save(tx, P.harborHouse.id, 1, { status: 'signed' });
      await tx.query('reset role');
      await applyClaims(tx, { role: 'service_role' });
      await tx.query(`update public.publishers set name = 'Harbor House Inc' where id = $1`, [P.harborHouse.id]);
      await become(tx, 'acmeOwner');
      const same = await save(tx, P.harborHouse.id, 1, { name: 'Harbor House Inc' });
      return { mine, again, same };
    });
    expect(results.mine).toMatchObject({ ok: true, publisher: { status: 'active', version: 2 } });
    expect(results.again).toMatchObject({ ok: true, publisher: { status: 'signed', version: 3 } });
    // Someone else (the service role, acting for nobody) wrote the very value I asked for: nothing to refuse, nothing to bump.
    expect(results.same).toMatchObject({ ok: true, publisher: { name: 'Harbor House Inc', version: 4 } });
  });

  it('lets two saves from the same base_version land when they touch different fields', async () => {
    const result = await asCaller(t.db, 'acmeOwner', async (tx) => {
      const first = await save(tx, P.pacificPress.id, 1, { name: 'Pacific Press Group' });
      await become(tx, 'acmeWest');
      return { first, second: await save(tx, P.pacificPress.id, 1, { status: 'active' }) };
    });
    expect(result.first).toMatchObject({ ok: true, publisher: { version: 2 } });
    expect(result.second).toMatchObject({
      ok: true,
      publisher: { name: 'Pacific Press Group', status: 'active', version: 3 },
    });
  });

  it('answers 404 (PT404) for a publisher the caller cannot see, exactly as for one that does not exist', async () => {
    const hidden = await failure('acmeWest', P.harborHouse.id, 1, { name: 'Mine now' });
    const foreign = await failure('globexMember', P.sunriseBooks.id, 1, { name: 'Mine now' });
    const missing = await failure('acmeOwner', 'c0000000-0000-4000-8000-0000000000ff', 1, { name: 'Mine now' });
    expect(hidden).toEqual({ code: 'PT404', message: `publisher ${P.harborHouse.id} not found` });
    expect(foreign).toEqual({ code: 'PT404', message: `publisher ${P.sunriseBooks.id} not found` });
    expect(missing).toEqual({ code: 'PT404', message: 'publisher c0000000-0000-4000-8000-0000000000ff not found' });
  });

  it('refuses the agent account (reads publishers, may not edit them) and anon', async () => {
    expect(await failure('acmeAgent', P.sunriseBooks.id, 1, { name: 'Agent was here' })).toEqual({
      code: '42501',
      message: `not allowed to edit publisher ${P.sunriseBooks.id}`,
    });
    expect(await failure('anon', P.sunriseBooks.id, 1, { name: 'Anonymous' })).toEqual({
      code: '42501',
      message: 'permission denied for function save_publisher',
    });
  });

  it('refuses moving a record out of the caller territories (the update policy decides)', async () => {
    expect(await failure('acmeWest', P.sunriseBooks.id, 1, { territory: 'US_East' })).toEqual({
      code: '42501',
      message: 'new row violates row-level security policy for table "publishers"',
    });
  });

  it.each([
    ['an unknown field', 1, { nickname: 'Sunny' }, 'unknown publisher field: nickname'],
    ['a column that is not editable', 1, { version: 9 }, 'unknown publisher field: version'],
    ['changes that are not an object', 1, ['name'], 'changes must be a JSON object of field: value, got array'],
    ['a name that is not a string', 1, { name: 42 }, 'name must be a string, got number'],
    ['a null status', 1, { status: null }, 'status must be a string, got null'],
    ['an owner that is not a uuid', 1, { owner_id: 'bob' }, 'owner_id must be a uuid'],
    [
      'custom_fields that are not an object',
      1,
      { custom_fields: [1] },
      'custom_fields must be a JSON object, got array',
    ],
    ['a missing base_version', null, { name: 'X' }, 'base_version must be a version number (1 or more), got null'],
    ['base_version 0', 0, { name: 'X' }, 'base_version must be a version number (1 or more), got 0'],
    ['a base_version from the future', 7, { name: 'X' }, "base_version 7 is ahead of the publisher's version 1"],
  ])('refuses %s with 22023', async (_label, baseVersion, changes, message) => {
    expect(await failure('acmeOwner', P.pacificPress.id, baseVersion, changes)).toEqual({ code: '22023', message });
  });

  it('leaves the check constraints to the table (an empty name is 23514)', async () => {
    expect((await failure('acmeOwner', P.pacificPress.id, 1, { name: '' })).code).toBe('23514');
  });
});

// Real concurrency needs two connections: PostgreSQL only (PGlite has one session).
describe.each(BACKENDS.filter((b) => b === 'postgres'))('save_publisher under concurrency on %s', (backend) => {
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  /** Resolves once some session waits for a row lock on publishers (bounded). */
  async function someoneWaitsForTheRow(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const { rows } = await t.db.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      if (rows[0]!.n > 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('the second save never waited for the first one');
  }

  async function run(first: Record<string, unknown>, second: Record<string, unknown>) {
    let releaseFirst!: () => void;
    const held = new Promise<void>((r) => (releaseFirst = r));
    let firstLocked!: () => void;
    const locked = new Promise<void>((r) => (firstLocked = r));
    const owner = withClaims(t.db, claimsFor('acmeOwner'), async (tx) => {
      const result = await save(tx, P.pacificPress.id, 1, first);
      firstLocked();
      await held; // keep the row locked until the second save is waiting for it
      return result;
    });
    await locked;
    const west = withClaims(t.db, claimsFor('acmeWest'), (tx) => save(tx, P.pacificPress.id, 1, second));
    await someoneWaitsForTheRow();
    releaseFirst();
    return { owner: await owner, west: await west };
  }

  it('two saves of different fields from the same version both land', async () => {
    const { owner, west } = await run({ name: 'Pacific Press Group' }, { status: 'active' });
    expect(owner).toMatchObject({ ok: true, publisher: { name: 'Pacific Press Group', version: 2 } });
    expect(west).toMatchObject({ ok: true, publisher: { name: 'Pacific Press Group', status: 'active', version: 3 } });
    const { rows } = await t.db.query(`select name, status, version from public.publishers where id = $1`, [
      P.pacificPress.id,
    ]);
    expect(rows).toEqual([{ name: 'Pacific Press Group', status: 'active', version: 3 }]);
  });

  it('the later of two saves of the same field from the same version gets the conflict', async () => {
    const { rows: before } = await t.db.query<{ version: number }>(
      `select version from public.publishers where id = $1`,
      [P.pacificPress.id],
    );
    expect(before[0]!.version).toBe(3);
    const { owner, west } = await run({ custom_fields: { genre: 'atlases' } }, { custom_fields: { genre: 'guides' } });
    expect(owner).toMatchObject({ ok: true, publisher: { custom_fields: { genre: 'atlases' }, version: 4 } });
    expect(west).toMatchObject({
      ok: false,
      publisher: { custom_fields: { genre: 'atlases' }, version: 4 },
      conflicts: [
        {
          field: 'custom_fields',
          yours: { genre: 'guides' },
          current: { genre: 'atlases' },
          updatedBy: USERS.acmeOwner.id,
        },
      ],
    });
  });
});
