/**
 * The database the stack prepares has Supabase's shape, so that what passes here passes after
 * `supabase db push`: migrations and the seed run as a `postgres` that is not a superuser; the
 * realtime objects belong to supabase_realtime_admin and the auth ones to supabase_auth_admin,
 * with RLS on auth.users; the API roles inherit and carry their statement timeouts, applied per
 * request. Each refusal below is the one PostgreSQL gives `postgres` on the platform.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyClaims, applyMigrations, isPostgresError, withClaims } from '../../local-stack/db/index.ts';
import { USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';

async function value<T>(t: TestDatabase, sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await t.db.query<{ value: T }>(sql, params);
  return rows[0]!.value;
}

describe.each(BACKENDS)('the platform shape on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  it('postgres is not a superuser, keeps the platform attributes and is a member of the API roles only', async () => {
    const { rows } = await t.db.query(
      `select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolinherit, rolcanlogin, rolconfig
         from pg_roles where rolname = 'postgres'`,
    );
    expect(rows).toEqual([
      {
        rolsuper: false,
        rolbypassrls: true,
        rolcreaterole: true,
        rolcreatedb: true,
        rolinherit: true,
        rolcanlogin: true,
        rolconfig: ['search_path="$user", public, extensions'],
      },
    ]);
    const memberships = await t.db.query<{ role: string; member: boolean }>(
      `select r as role, pg_has_role('postgres', r, 'member') as member
         from unnest(array['anon', 'authenticated', 'service_role', 'supabase_admin', 'supabase_auth_admin',
                           'supabase_realtime_admin']) as r`,
    );
    expect(Object.fromEntries(memberships.rows.map((r) => [r.role, r.member]))).toEqual({
      anon: true,
      authenticated: true,
      service_role: true,
      supabase_admin: false,
      supabase_auth_admin: false,
      supabase_realtime_admin: false,
    });
  });

  it('the migrations and the seed ran as postgres: it owns every object they made and the migration history', async () => {
    const owners = await t.db.query<{ owner: string }>(
      `select distinct pg_get_userbyid(c.relowner) as owner from pg_class c
         join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ('public', 'private', 'bridge', 'supabase_migrations')
        union
       select distinct pg_get_userbyid(p.proowner) from pg_proc p
         join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('public', 'private', 'bridge')`,
    );
    expect(owners.rows).toEqual([{ owner: 'postgres' }]);
    expect(await value(t, `select count(*)::int as value from auth.users`)).toBe(Object.keys(USERS).length);
    expect(
      await value(t, `select pg_get_userbyid(datdba) as value from pg_database where datname = current_database()`),
    ).toBe('postgres');
  });

  it('default privileges hand what postgres and supabase_admin create in public to the API roles', async () => {
    const { rows } = await t.db.query<{ creator: string; kind: string; grantees: string[] }>(
      `select pg_get_userbyid(d.defaclrole) as creator, d.defaclobjtype::text as kind,
              array_agg(distinct a.grantee::regrole::text order by a.grantee::regrole::text) as grantees
         from pg_default_acl d cross join lateral aclexplode(d.defaclacl) a
        where d.defaclnamespace = 'public'::regnamespace
        group by 1, 2 order by 1, 2`,
    );
    const everyone = ['anon', 'authenticated', 'postgres', 'service_role'];
    expect(rows).toEqual(
      ['postgres', 'supabase_admin'].flatMap((creator) =>
        ['S', 'f', 'r'].map((kind) => ({ creator, kind, grantees: everyone })),
      ),
    );
  });

  it('realtime.messages, its partitions and the realtime functions belong to supabase_realtime_admin', async () => {
    const { rows } = await t.db.query<{ name: string; owner: string }>(
      `select c.relname as name, pg_get_userbyid(c.relowner) as owner from pg_class c
        where c.oid = 'realtime.messages'::regclass
           or c.oid in (select inhrelid from pg_inherits where inhparent = 'realtime.messages'::regclass)
       union all
       select p.proname, pg_get_userbyid(p.proowner) from pg_proc p where p.pronamespace = 'realtime'::regnamespace`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(1 + 5 + 4); // the table, yesterday..today+3, four functions
    expect(new Set(rows.map((r) => r.owner))).toEqual(new Set(['supabase_realtime_admin']));
    expect(
      await value(t, `select pg_get_userbyid(nspowner) as value from pg_namespace where nspname = 'realtime'`),
    ).toBe('supabase_admin');
  });

  it('auth.users has RLS enabled and no policies, and belongs to supabase_auth_admin', async () => {
    const { rows } = await t.db.query(
      `select c.relrowsecurity as rls, c.relforcerowsecurity as forced, pg_get_userbyid(c.relowner) as owner,
              (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies
         from pg_class c where c.oid = 'auth.users'::regclass`,
    );
    expect(rows).toEqual([{ rls: true, forced: false, owner: 'supabase_auth_admin', policies: 0 }]);
  });

  it('a security-definer function reading auth.users sees nothing when its owner lacks BYPASSRLS', async () => {
    const counts = await t.db.transaction(
      async (tx) => {
        // Set up as the platform's superuser: a role with SELECT on auth.users but no BYPASSRLS.
        await tx.exec(`
          create role pubdev_probe_owner nologin;
          grant usage on schema auth to pubdev_probe_owner;
          grant select on auth.users to pubdev_probe_owner;
          create function public.pubdev_probe_users_seen() returns bigint
            language sql stable security definer set search_path = '' as 'select count(*) from auth.users';
          create function public.pubdev_probe_users_seen_by_postgres() returns bigint
            language sql stable security definer set search_path = '' as 'select count(*) from auth.users';
          alter function public.pubdev_probe_users_seen() owner to pubdev_probe_owner;
          alter function public.pubdev_probe_users_seen_by_postgres() owner to postgres;`);
        await applyClaims(tx, { role: 'authenticated', sub: USERS.acmeOwner.id });
        const { rows } = await tx.query<{ probe: number; control: number }>(
          `select public.pubdev_probe_users_seen()::int as probe, public.pubdev_probe_users_seen_by_postgres()::int as control`,
        );
        return rows[0];
      },
      { rollback: true },
    );
    expect(counts).toEqual({ probe: 0, control: Object.keys(USERS).length });
  });

  it('the API roles inherit and carry the platform statement timeouts (anon 3s, authenticated 8s, authenticator 8s)', async () => {
    const { rows } = await t.db.query<{ rolname: string; rolinherit: boolean; rolconfig: string[] | null }>(
      `select rolname, rolinherit, rolconfig from pg_roles
        where rolname in ('anon', 'authenticated', 'service_role', 'authenticator') order by rolname`,
    );
    expect(rows).toEqual([
      { rolname: 'anon', rolinherit: true, rolconfig: ['statement_timeout=3s'] },
      { rolname: 'authenticated', rolinherit: true, rolconfig: ['statement_timeout=8s'] },
      { rolname: 'authenticator', rolinherit: false, rolconfig: ['statement_timeout=8s', 'lock_timeout=8s'] },
      { rolname: 'service_role', rolinherit: true, rolconfig: null },
    ]);
    expect(await value(t, `select rolinherit as value from pg_roles where rolname = 'authenticated'`)).toBe(true);
  });

  it('a request runs with its role timeouts, as PostgREST applies them (service_role keeps the authenticator’s)', async () => {
    const timeouts = async (role: string) =>
      withClaims(t.db, { role }, async (tx) => {
        const { rows } = await tx.query<{ statement: string; lock: string; who: string }>(
          `select current_setting('statement_timeout') as statement, current_setting('lock_timeout') as lock,
                  current_user as who`,
        );
        return rows[0];
      });
    expect(await timeouts('anon')).toEqual({ statement: '3s', lock: '8s', who: 'anon' });
    expect(await timeouts('authenticated')).toEqual({ statement: '8s', lock: '8s', who: 'authenticated' });
    expect(await timeouts('service_role')).toEqual({ statement: '8s', lock: '8s', who: 'service_role' });
    // Outside a request the connection has no timeout of its own: the settings were transaction-local.
    expect(await value(t, `select current_setting('statement_timeout') as value`)).toBe('0');
  });

  it('realtime.send warns as WarnSendingBroadcastMessage; broadcast_changes re-raises as "Failed to process the row"', async () => {
    const definition = await value<string>(
      t,
      `select prosrc as value from pg_proc where oid = 'realtime.send'::regproc`,
    );
    expect(definition).toContain(`raise warning 'WarnSendingBroadcastMessage: %', sqlerrm`);
    // A send that cannot insert (no topic) only warns: the caller's statement goes on.
    await expect(t.db.query(`select realtime.send('{}'::jsonb, 'event', null)`)).resolves.toBeDefined();
    await expect(
      t.db.query(
        `select realtime.broadcast_changes('topic', 'event', 'INSERT', 't', 'public', null::record, null::record, 'STATEMENT')`,
      ),
    ).rejects.toThrow('Failed to process the row: function can only be triggered for each row, not for each statement');
  });
});

describe.each(BACKENDS)('a statement outliving its role timeout on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend, { shimOnly: true });
    // Roles are cluster-wide: the lower timeout is scoped to this throwaway database only.
    await t.db.exec(`do $$ begin
      execute format('alter role authenticated in database %I set statement_timeout = %L', current_database(), '150ms');
    end $$`);
  });
  afterAll(async () => {
    await t?.db.exec(`do $$ begin
      execute format('alter role authenticated in database %I reset statement_timeout', current_database());
    end $$`);
    await t?.dispose();
  });

  it('takes the database-specific role setting over the global one', async () => {
    const applied = await withClaims(t.db, { role: 'authenticated' }, async (tx) => {
      const { rows } = await tx.query<{ timeout: string }>(`select current_setting('statement_timeout') as timeout`);
      return rows[0]?.timeout;
    });
    expect(applied).toBe('150ms');
  });

  if (backend === 'postgres') {
    it('is cancelled with SQLSTATE 57014, as PostgREST answers it', async () => {
      const error = await withClaims(t.db, { role: 'authenticated' }, (tx) => tx.query('select pg_sleep(2)')).catch(
        (e: unknown) => e,
      );
      expect(isPostgresError(error) && { code: error.code, message: error.message }).toEqual({
        code: '57014',
        message: 'canceling statement due to statement timeout',
      });
    });
  } else {
    it('runs to the end: PGlite has no timers, so statement timeouts never fire (docs/local-stack.md)', async () => {
      const started = Date.now();
      await withClaims(t.db, { role: 'authenticated' }, (tx) => tx.query('select pg_sleep(0.4)'));
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    });
  }
});

interface Refusal {
  name: string;
  sql: string;
  code: string;
  message: RegExp;
  only?: 'postgres';
}

/** What Supabase refuses `postgres` (and so `supabase db push`), each with PostgreSQL's own answer. */
const REFUSALS: Refusal[] = [
  {
    name: 'making itself a superuser',
    sql: 'alter role postgres superuser;',
    code: '42501',
    // PostgreSQL 15 and PGlite's 18 word it differently.
    message: /must be superuser to alter superuser roles or change superuser attribute|permission denied to alter role/,
  },
  {
    name: 'running a program from COPY',
    sql: `copy (select 1) to program 'true';`,
    code: '42501',
    message: /COPY to or from an external program/,
  },
  {
    name: 'an untrusted extension',
    sql: 'create extension file_fdw;',
    code: '42501',
    message: /permission denied to create extension "file_fdw"/,
    only: 'postgres', // PGlite has no file_fdw to refuse.
  },
  {
    name: 'altering realtime.messages',
    sql: 'alter table realtime.messages add column note text;',
    code: '42501',
    message: /^must be owner of table messages$/,
  },
  {
    name: 'a policy on a realtime.messages partition (the platform grants policies on the table only)',
    sql: `do $$ begin
      execute format('create policy probe on realtime.%I for select to authenticated using (true)',
        'messages_' || to_char(now(), 'YYYY_MM_DD'));
    end $$;`,
    code: '42501',
    message: /^must be owner of table messages_\d{4}_\d{2}_\d{2}$/,
  },
  {
    name: 'creating a function in the realtime schema',
    sql: `create function realtime.probe() returns int language sql as 'select 1';`,
    code: '42501',
    message: /^permission denied for schema realtime$/,
  },
  {
    name: 'creating a table in the auth schema',
    sql: 'create table auth.probe (id int);',
    code: '42501',
    message: /^permission denied for schema auth$/,
  },
];

describe.each(BACKENDS)('migrations that need more than the platform gives postgres, on %s', (backend) => {
  let t: TestDatabase;
  let dir: string;
  let version = 20990101000000;
  const migrate = async (sql: string) => {
    await rm(dir, { recursive: true, force: true });
    dir = await mkdtemp(join(tmpdir(), 'pubdev-migrations-'));
    version += 1;
    await writeFile(join(dir, `${version}_probe.sql`), sql);
    return applyMigrations(t.db, dir);
  };
  beforeAll(async () => {
    t = await createTestDatabase(backend, { shimOnly: true });
    dir = await mkdtemp(join(tmpdir(), 'pubdev-migrations-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await t?.dispose();
  });

  it.each(REFUSALS.filter((r) => !r.only || r.only === backend))('refuses $name', async ({ sql, code, message }) => {
    const error = await migrate(sql).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^Migration \d{14}_probe\.sql failed: /);
    const cause = (error as Error).cause;
    expect(isPostgresError(cause) && cause.code).toBe(code);
    expect((cause as Error).message).toMatch(message);
  });

  it('creates policies on realtime.messages and auth.users through the platform grant, and nothing stays lent', async () => {
    const applied = await migrate(`
      create policy probe_read on realtime.messages for select to authenticated using (topic = 'probe');
      alter policy probe_read on realtime.messages using (topic = 'probe-2');
      create policy probe_self on auth.users for select to authenticated using (id = auth.uid());
      drop policy probe_self on auth.users;`);
    expect(applied).toEqual([{ version: String(version), name: 'probe' }]);
    expect(await value(t, `select pg_has_role('postgres', 'supabase_realtime_admin', 'member') as value`)).toBe(false);
    expect(await value(t, `select pg_has_role('postgres', 'supabase_auth_admin', 'member') as value`)).toBe(false);
  });

  it('ran them as postgres, with its search_path, as `supabase db push` connects', async () => {
    await migrate(`create table public.probe_who as select current_user as who, session_user as session,
                     current_setting('search_path') as path;`);
    const { rows } = await t.db.query('select who::text, session::text, path from public.probe_who');
    expect(rows).toEqual([{ who: 'postgres', session: 'postgres', path: '"$user", public, extensions' }]);
  });
});
