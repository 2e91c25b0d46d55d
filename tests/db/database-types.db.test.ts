/**
 * src/contract/database.types.ts is what `npm run gen:types` makes of the migrated schema, in the
 * shape of `supabase gen types typescript`. It must never drift from the migrations: the first
 * case compares it with a fresh generation; the second shows that comparison bites, by adding a
 * column in this throwaway database. The last case is checked by the compiler (`npm run
 * typecheck` covers tests/): supabase-js typed with these types accepts the project's queries and
 * refuses a wrong column or a missing RPC argument.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { asMigrationRole } from '../../local-stack/db/index.ts';
import { DATABASE_TYPES_FILE, exposedSchemas, generateDatabaseTypes } from '../../scripts/lib/database-types/index.ts';
import type { Database, Json, Tables, TablesInsert, TablesUpdate } from '../../src/contract/index.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Lines of `after` that `before` does not have, trimmed. */
function addedLines(before: string, after: string): string[] {
  const had = new Set(before.split('\n'));
  return after
    .split('\n')
    .filter((line) => !had.has(line))
    .map((line) => line.trim());
}

describe.each(BACKENDS)('the committed Database types on %s', (backend) => {
  let t: TestDatabase;
  let committed: string;
  let schemas: string[];
  beforeAll(async () => {
    t = await createTestDatabase(backend);
    committed = await readFile(`${ROOT}${DATABASE_TYPES_FILE}`, 'utf8');
    schemas = await exposedSchemas(`${ROOT}supabase/config.toml`);
  });
  afterAll(() => t?.dispose());

  it('are what the generator makes of the migrated schema (else: npm run gen:types)', async () => {
    expect(schemas).toEqual(['public']);
    expect(await generateDatabaseTypes(t.db, schemas)).toBe(committed);
  });

  it('no longer match once a migration adds a column', async () => {
    await t.db.transaction(async (tx) => {
      await asMigrationRole(tx);
      await tx.exec('alter table public.publishers add column drift_probe text');
    });
    const drifted = await generateDatabaseTypes(t.db, schemas);
    expect(drifted).not.toBe(committed);
    // Row, Insert and Update of publishers each gain the column; nothing else changes.
    expect(addedLines(committed, drifted)).toEqual([
      'drift_probe: string | null',
      'drift_probe?: string | null',
      'drift_probe?: string | null',
    ]);
  });
});

describe('createClient<Database>', () => {
  it('types rows, inserts, views and RPCs (the assertions are the compiler’s)', () => {
    // No request is made: builders only run when awaited.
    const supabase = createClient<Database>('http://127.0.0.1:54321', 'anon-key', {
      auth: { persistSession: false, autoRefreshToken: false },
    });
    const publishers = supabase.from('publishers').select('id, name, version, territory');
    expectTypeOf<Awaited<typeof publishers>['data']>().toEqualTypeOf<
      { id: string; name: string; version: number; territory: string | null }[] | null
    >();
    expectTypeOf<Tables<'my_notifications'>['is_read']>().toEqualTypeOf<boolean | null>();
    expectTypeOf<TablesInsert<'agent_runs'>['organization_id']>().toEqualTypeOf<string>();
    expectTypeOf<TablesUpdate<'agent_runs'>['progress']>().toEqualTypeOf<number | null | undefined>();
    const save = supabase.rpc('save_publisher', { publisher_id: 'id', base_version: 1, changes: { name: 'n' } });
    expectTypeOf<Awaited<typeof save>['data']>().toEqualTypeOf<Json | null>();
    const marked = supabase.rpc('mark_notifications_read', {});
    expectTypeOf<Awaited<typeof marked>['data']>().toEqualTypeOf<number | null>();

    // @ts-expect-error publishers has no such column
    void supabase.from('publishers').insert({ organization_id: 'org', name: 'n', not_a_column: 1 });
    // @ts-expect-error save_publisher needs base_version
    void supabase.rpc('save_publisher', { publisher_id: 'id', changes: {} });
    // @ts-expect-error no such table in public
    void supabase.from('not_a_table').select();
    // Builders, not yet sent: nothing here touches the network.
    for (const builder of [publishers, save, marked]) expect(typeof builder.then).toBe('function');
  });
});
