import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../local-stack/db/index.ts';
import { startLocalStack } from '../../local-stack/stack.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';

const LINTS = readFile(new URL('./splinter/advisor-lints.sql', import.meta.url), 'utf8');

interface Finding {
  name: string;
  level: 'ERROR' | 'WARN' | 'INFO';
  detail: string;
}

/**
 * Supabase's Security and Performance Advisors (splinter) on the migrated database, with what the
 * local stack installs at runtime (Postgres-changes capture) included. Any finding fails the test
 * except `unused_index`: a fresh database has scanned no index yet.
 */
async function lint(tx: Queryable): Promise<Finding[]> {
  // As on Supabase: PostgREST exposes `public`; the linter must not depend on the caller's search_path.
  await tx.exec(`set local pgrst.db_schemas = 'public'; set local search_path = ''`);
  const { rows } = await tx.query<Finding>(await LINTS);
  return rows.map(({ name, level, detail }) => ({ name, level, detail }));
}

describe.each(BACKENDS)("Supabase's database linter on the migrated %s database", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
    const stack = await startLocalStack({ port: 0 }, { db: t.db });
    await stack.stop();
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('finds nothing but unused indexes', async () => {
    const findings = await t.db.transaction(lint, { rollback: true });
    expect(findings.filter((f) => f.name !== 'unused_index')).toEqual([]);
  });

  it('reports what it is meant to find (probe objects, rolled back)', async () => {
    const findings = await t.db.transaction(
      async (tx) => {
        await tx.exec(`
        create table public.lint_probe_parent (id int primary key);
        create table public.lint_probe (parent_id int references public.lint_probe_parent (id));
        create function public.lint_probe_fn() returns int language sql as 'select 1';
        create view public.lint_probe_users as select id from auth.users;
        grant select on public.lint_probe_users to anon;
        alter extension pgcrypto set schema public;
      `);
        return lint(tx);
      },
      { rollback: true },
    );
    const names = (table: string) =>
      findings
        .filter((f) => f.detail.includes(table))
        .map((f) => f.name)
        .sort();
    expect(names('public.lint_probe`')).toEqual(['no_primary_key', 'rls_disabled_in_public', 'unindexed_foreign_keys']);
    expect(names('public.lint_probe_fn')).toEqual(['function_search_path_mutable']);
    expect(names('"lint_probe_users"')).toEqual(['auth_users_exposed']);
    expect(names('public.lint_probe_users')).toEqual(['security_definer_view']);
    expect(names('`pgcrypto`')).toEqual(['extension_in_public']);
  });
});
