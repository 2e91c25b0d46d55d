-- The roles every Supabase database has, with the platform's attributes, memberships and
-- per-role settings (supabase/postgres init scripts and migrations: initial-schema,
-- demote-postgres, grant_auth_roles_to_postgres, alter_api_roles_for_inherit,
-- set_authenticator_timeout; supabase/realtime tenant dump). Roles are cluster-wide: this runs on
-- every prepare and only ever converges them to this shape. Idempotent.
--
-- `supabase_admin` (the superuser running this) is not created here: on PGlite the bootstrap
-- superuser is renamed to it at open, on PostgreSQL `npm run db:supabase-roles` does the same.

do $$
declare
  role_name text;
begin
  foreach role_name in array array['postgres', 'anon', 'authenticated', 'service_role', 'authenticator',
                                   'supabase_auth_admin', 'supabase_realtime_admin'] loop
    if not exists (select from pg_roles where rolname = role_name) then
      execute format('create role %I', role_name);
    end if;
  end loop;
end
$$;

-- The project's role: what `supabase db push` and the SQL editor run as. Not a superuser.
alter role postgres with nosuperuser createdb createrole login replication bypassrls;
alter role postgres set search_path to "$user", public, extensions;
grant anon, authenticated, service_role to postgres;
grant pg_monitor, pg_read_all_data, pg_signal_backend to postgres;

-- The API roles PostgREST and Realtime switch to. INHERIT since 2023; statement timeouts per role
-- (PostgREST applies them per request; service_role keeps the authenticator's).
alter role anon with nologin inherit nobypassrls;
alter role authenticated with nologin inherit nobypassrls;
alter role service_role with nologin inherit bypassrls;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

alter role authenticator with login noinherit nobypassrls;
grant anon, authenticated, service_role to authenticator;
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';

-- Owners of the auth and realtime objects. `postgres` is a member of neither: it changes their
-- tables only through grants, and their policies only through the platform's policy grants
-- (04-policy-grants.sql).
alter role supabase_auth_admin with login noinherit createrole noreplication nobypassrls;
alter role supabase_auth_admin set search_path = auth;
alter role supabase_auth_admin set idle_in_transaction_session_timeout = 60000;

alter role supabase_realtime_admin with nologin noinherit noreplication nobypassrls;
alter role supabase_realtime_admin set search_path = public, extensions, realtime;
grant anon, authenticated, service_role to supabase_realtime_admin;

-- A database prepared by an earlier shim: undo memberships the platform does not have.
do $$
declare
  owner_role text;
begin
  foreach owner_role in array array['supabase_admin', 'supabase_auth_admin', 'supabase_realtime_admin'] loop
    if pg_has_role('postgres', owner_role, 'member') then
      execute format('revoke %I from postgres', owner_role);
    end if;
  end loop;
end
$$;
