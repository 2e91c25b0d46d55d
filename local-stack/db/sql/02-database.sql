-- The database itself as Supabase sets it up: owned by `postgres` (so `public`, owned by
-- pg_database_owner, is postgres's to create in), extensions in schema `extensions`, the
-- platform's default privileges for objects `postgres` and `supabase_admin` create in `public`,
-- and the `supabase_realtime` publication owned by `postgres`. Idempotent.

do $$
begin
  execute format('alter database %I owner to postgres', current_database());
  -- PostgREST's extra_search_path (config.toml [api]) for every request: the local REST server
  -- has no per-request search_path of its own, so the database carries it.
  execute format('alter database %I set search_path to "$user", public, extensions', current_database());
end
$$;

-- Supabase installs extensions in schema `extensions`, never in `public`: PostgREST exposes only
-- `public`, so pgcrypto's crypt/gen_salt/digest must not answer as /rest/v1/rpc/* to anon.
create schema if not exists extensions;
do $$
begin
  -- A database prepared by an earlier shim had pgcrypto in public: move it.
  if exists (select from pg_extension e join pg_namespace n on n.oid = e.extnamespace
              where e.extname = 'pgcrypto' and n.nspname <> 'extensions') then
    alter extension pgcrypto set schema extensions;
  end if;
end
$$;
create extension if not exists pgcrypto with schema extensions;
-- The database setting applies to new sessions; this one needs it now.
set search_path to "$user", public, extensions;

grant usage on schema extensions to postgres, anon, authenticated, service_role;
grant all on schema extensions to postgres;
grant all on all tables in schema extensions to postgres with grant option;
grant all on all routines in schema extensions to postgres with grant option;
grant all on all sequences in schema extensions to postgres with grant option;
alter default privileges in schema extensions grant all on tables to postgres with grant option;
alter default privileges in schema extensions grant all on routines to postgres with grant option;
alter default privileges in schema extensions grant all on sequences to postgres with grant option;

-- The API roles get table privileges on whatever `postgres` (migrations, the SQL editor) or
-- `supabase_admin` creates in public; RLS decides rows. Nothing is granted on existing objects:
-- this runs again on every start, after migrations that may have revoked on purpose.
grant usage on schema public to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;

-- The publication Postgres Changes reads; `postgres` owns it, so migrations add their tables.
do $$
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;
alter publication supabase_realtime owner to postgres;

-- `supabase db push` creates this as postgres; a database an earlier shim prepared has it as the
-- superuser's.
do $$
begin
  if to_regclass('supabase_migrations.schema_migrations') is not null then
    alter schema supabase_migrations owner to postgres;
    alter table supabase_migrations.schema_migrations owner to postgres;
  end if;
end
$$;
