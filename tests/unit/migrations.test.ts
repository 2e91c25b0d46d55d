/**
 * supabase/migrations creates every database object in one migration: a later migration that
 * changes one says so in its header (`-- supersedes: <kind> <name>`, docs/data-model.md
 * "Migrations"), so a reader finds an object's definition without replaying the history.
 * The synthetic migrations below are the positive controls: the check reports what it must.
 */
import { readdir, readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { findRedefinitions, objectsChanged, type MigrationText } from './_migration-objects.ts';

const MIGRATIONS = new URL('../../supabase/migrations/', import.meta.url);

async function readMigrations(): Promise<MigrationText[]> {
  const names = (await readdir(MIGRATIONS)).filter((name) => name.endsWith('.sql')).sort();
  return Promise.all(names.map(async (name) => ({ name, sql: await readFile(new URL(name, MIGRATIONS), 'utf8') })));
}

const migration = (name: string, ...lines: string[]): MigrationText => ({ name, sql: `${lines.join('\n')}\n` });

const HELPERS = migration(
  '20260101000000_helpers.sql',
  '-- Helpers.',
  'create schema if not exists private;',
  'create or replace function private.f(x int) returns int language sql as $$ select x $$;',
  'create policy "members read" on public.t for select to authenticated using (true);',
  'create index t_c_idx on public.t (c);',
  'create trigger t_audit after insert on public.t for each row execute function private.audit();',
  'alter publication supabase_realtime add table public.t;',
);

describe('supabase/migrations', () => {
  let files: MigrationText[];
  beforeAll(async () => {
    files = await readMigrations();
  });

  it('creates every object in one migration, or says which earlier one it supersedes', () => {
    expect(findRedefinitions(files)).toEqual([]);
  });

  it('is read by the check: the objects of every kind are seen where they are created', () => {
    const where = new Map<string, string>();
    for (const file of files) for (const key of objectsChanged(file.sql).keys()) where.set(key, file.name);
    expect(where.get('function private.can_read_topic')).toMatch(/_topic_policies\.sql$/);
    expect(where.get('type private.topic_ref')).toMatch(/_topic_policies\.sql$/);
    expect(where.get('table public.publisher_changes')).toMatch(/_publisher_history\.sql$/);
    expect(where.get('view public.my_notifications')).toMatch(/_notification_reads\.sql$/);
    expect(where.get('index public.team_updates_user_id_idx')).toMatch(/_schema\.sql$/);
    expect(where.get('trigger publishers_broadcast on public.publishers')).toMatch(/_broadcast_triggers\.sql$/);
    expect(where.get('policy "members read the topics they may join" on realtime.messages')).toMatch(
      /_realtime_messages_policies\.sql$/,
    );
    expect(
      where.get('policy "owners and admins add members in roles they manage" on public.organization_members'),
    ).toMatch(/_table_rls\.sql$/);
    expect(where.get('publication supabase_realtime')).toMatch(/_realtime_publication\.sql$/);
    expect(where.get('schema private')).toMatch(/_access_helpers\.sql$/);
  });

  it('reports a later migration that redefines a real function, unless it declares it', () => {
    const later = (...header: string[]) =>
      migration(
        '20261231000000_later.sql',
        ...header,
        '-- A later change.',
        'create or replace function private.can_read_topic(topic text) returns boolean language sql as $$ select false $$;',
      );
    expect(findRedefinitions([...files, later()])).toEqual([
      expect.stringMatching(
        /^20261231000000_later\.sql: create function private\.can_read_topic, which \S+_topic_policies\.sql created;/,
      ),
    ]);
    expect(findRedefinitions([...files, later('-- supersedes: function private.can_read_topic')])).toEqual([]);
  });

  it('heads every migration with a comment saying what it holds', () => {
    const headless = files.filter((file) => !/^-- \S/.test(file.sql)).map((file) => file.name);
    expect(headless).toEqual([]);
  });

  it('points the topic policy functions to the contract they mirror', () => {
    const mirrors = ['parse_topic', 'can_read_topic', 'can_write_topic', 'is_topic_reader', 'publisher_record_topic'];
    const defining = files.filter((file) =>
      mirrors.some((fn) => objectsChanged(file.sql).has(`function private.${fn}`)),
    );
    expect(defining.length).toBeGreaterThan(0);
    for (const file of defining) expect(file.sql, file.name).toContain('src/contract/topic-policy.ts');
  });

  it('speaks of the project only (no issue numbers)', () => {
    expect(files.filter((file) => /\bissues? #?\d/i.test(file.sql)).map((file) => file.name)).toEqual([]);
  });
});

describe('the redefinition check (positive controls)', () => {
  const check = (...later: MigrationText[]) => findRedefinitions([HELPERS, ...later]);
  const LATER = '20260201000000_later.sql';

  it('reports create or replace of an earlier function, and passes it once declared', () => {
    const redefine = (...header: string[]) =>
      migration(
        LATER,
        ...header,
        'CREATE OR REPLACE FUNCTION Private.F(x int) RETURNS int LANGUAGE sql AS $$ select x + 1 $$;',
      );
    expect(check(redefine('-- Changes f.'))).toEqual([
      `${LATER}: create function private.f, which 20260101000000_helpers.sql created; a migration that changes it ` +
        'declares it in its header: -- supersedes: function private.f',
    ]);
    expect(check(redefine('-- Changes f.', '-- supersedes: function private.f'))).toEqual([]);
  });

  it('holds the declaring migration to it next: a third change needs its own declaration', () => {
    const second = migration(
      LATER,
      '-- supersedes: function private.f',
      'create or replace function private.f() returns int language sql as $$ select 2 $$;',
    );
    const third = migration(
      '20260301000000_third.sql',
      '-- Again.',
      'create or replace function private.f() returns int language sql as $$ select 3 $$;',
    );
    expect(check(second, third)).toEqual([expect.stringContaining(`which ${LATER} created`)]);
  });

  it('reports a policy dropped and created again, and passes it once declared', () => {
    const body = [
      'drop policy "members read" on public.t;',
      'create policy "members read" on public.t for select using (false);',
    ];
    expect(check(migration(LATER, '-- Narrower.', ...body))).toEqual([
      expect.stringContaining(`${LATER}: drop + create policy "members read" on public.t, which`),
    ]);
    expect(check(migration(LATER, '-- supersedes: policy "members read" on public.t', ...body))).toEqual([]);
  });

  it('reports a second migration that alters the publication, also from a do block', () => {
    const set = migration(LATER, '-- Inserts only.', "alter publication supabase_realtime set (publish = 'insert');");
    expect(check(set)).toEqual([expect.stringContaining(`${LATER}: alter publication supabase_realtime, which`)]);
    const guarded = migration(
      LATER,
      '-- Adds u.',
      'do $$',
      'begin',
      "  if not exists (select 1 from pg_publication_tables where tablename = 'u') then",
      '    alter publication supabase_realtime add table public.u;',
      '  end if;',
      'end;',
      '$$;',
    );
    expect(check(guarded)).toEqual([expect.stringContaining(`${LATER}: alter publication supabase_realtime, which`)]);
    expect(
      check(migration(LATER, '-- supersedes: publication supabase_realtime', ...set.sql.split('\n').slice(1))),
    ).toEqual([]);
  });

  it('reports an index, trigger or schema defined twice', () => {
    const twice = migration(
      LATER,
      '-- Duplicates.',
      'create schema if not exists private;',
      'create index if not exists t_c_idx on public.t (c);',
      'drop trigger if exists t_audit on public.t;',
      'create trigger t_audit after insert or update on public.t for each row execute function private.audit();',
    );
    expect(check(twice)).toEqual([
      expect.stringContaining(': create schema private, which'),
      expect.stringContaining(': create index public.t_c_idx, which'),
      expect.stringContaining(': drop + create trigger t_audit on public.t, which'),
    ]);
  });

  it('reports a declaration that names nothing an earlier migration created, or nothing it changes', () => {
    const unknown = migration(
      LATER,
      '-- supersedes: function private.nothing',
      'create or replace function private.nothing() returns int language sql as $$ select 1 $$;',
    );
    expect(check(unknown)).toEqual([
      `${LATER}: supersedes function private.nothing, which no earlier migration created`,
    ]);
    const selfDeclared = migration('20250101000000_first.sql', '-- supersedes: function private.f', 'select 1;');
    expect(findRedefinitions([selfDeclared, HELPERS])).toEqual([
      expect.stringContaining('20250101000000_first.sql: supersedes function private.f, which no earlier'),
    ]);
    const untouched = migration(LATER, '-- supersedes: index public.t_c_idx', 'select 1;');
    expect(check(untouched)).toEqual([`${LATER}: declares it supersedes index public.t_c_idx but does not change it`]);
  });

  it('reads declarations only in the header, and only in the documented form', () => {
    const late = migration(
      LATER,
      '-- Changes f.',
      'select 1;',
      '-- supersedes: function private.f',
      'create or replace function private.f() returns int language sql as $$ select 2 $$;',
    );
    const problems = check(late);
    expect(problems).toContainEqual(
      expect.stringContaining('"-- supersedes: function private.f" is not in the header'),
    );
    expect(problems).toContainEqual(expect.stringContaining(`${LATER}: create function private.f, which`));
    expect(check(migration(LATER, '-- supersedes: private.f', 'select 1;'))).toEqual([
      expect.stringContaining('must read "-- supersedes: <function|'),
    ]);
  });

  it('does not mistake comments, strings and function bodies for definitions', () => {
    const quiet = migration(
      LATER,
      '-- Replaces nothing: create or replace function private.f() would need a declaration.',
      '/* create policy "members read" on public.t */',
      'create or replace function private.g() returns text language plpgsql as $body$',
      'begin',
      "  execute 'create or replace function private.f() returns int language sql as $q$ select 1 $q$';",
      "  return 'alter publication supabase_realtime set (publish = ''insert'')';",
      'end;',
      '$body$;',
      "comment on function private.g() is 'create index t_c_idx on public.t (c)';",
      'alter table public.t enable row level security;',
    );
    expect(check(quiet)).toEqual([]);
  });
});
