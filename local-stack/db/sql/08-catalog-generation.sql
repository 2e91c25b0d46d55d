-- Local stack only: a counter of schema changes, so the stack can cache what it reads from the
-- catalog. Supabase's PostgREST caches its schema and reloads it on `NOTIFY pgrst, 'reload
-- schema'`, which the platform's event trigger (pgrst_ddl_watch) sends after every DDL command;
-- Realtime's Postgres-changes engine reads its publication once per subscription set.
--
-- Here every DDL command (CREATE, ALTER, DROP, GRANT, COMMENT, ALTER PUBLICATION …) bumps the
-- counter in its own transaction. A reader that reads the counter before it reads the catalog
-- sees a catalog at least as new as the number it got, so "cached under generation N" never means
-- "older than N". A rolled-back DDL rolls its bump back with it. ALTER ROLE … SET is not DDL to
-- event triggers: the stack reads role settings (pgrst.*) with the counter, at every request.
-- Idempotent.

create table if not exists pubdev_local.catalog_generation (
  only_row boolean primary key default true check (only_row),
  n bigint not null
);
insert into pubdev_local.catalog_generation (n) values (1) on conflict (only_row) do nothing;

-- Security definer: migrations run as `postgres`, which has no rights on pubdev_local.
create or replace function pubdev_local.bump_catalog_generation() returns event_trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update pubdev_local.catalog_generation set n = n + 1;
end;
$$;

revoke all on function pubdev_local.bump_catalog_generation() from public;

drop event trigger if exists pubdev_local_bump_catalog_generation;
create event trigger pubdev_local_bump_catalog_generation on ddl_command_end
  execute function pubdev_local.bump_catalog_generation();
