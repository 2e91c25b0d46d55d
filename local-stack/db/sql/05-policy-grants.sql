-- Supabase lets `postgres` create, alter and drop policies on a few tables it does not own: the
-- supautils extension's `policy_grants` (supabase/postgres supautils.conf: realtime.messages and
-- the auth tables). Everything else on those tables (ALTER TABLE, ENABLE/DISABLE TRIGGER, policies
-- on realtime.messages' partitions) still needs the owner, which postgres is not.
--
-- Without supautils, the stack lends `postgres` membership in the owning roles for exactly one
-- policy command: granted at ddl_command_start, revoked at ddl_command_end, after checking that
-- the policy's table is one the platform grants. A command that fails rolls the grant back with
-- it. Local to this stack (schema pubdev_local). Idempotent.

create schema if not exists pubdev_local;
revoke all on schema pubdev_local from public;

create or replace function pubdev_local.policy_grant_tables() returns text[]
language sql immutable set search_path = ''
as $$
  select array['auth.audit_log_entries', 'auth.identities', 'auth.refresh_tokens', 'auth.sessions',
               'auth.users', 'realtime.messages']
$$;

-- The error `postgres` gets from PostgreSQL itself for a table it does not own.
create or replace function pubdev_local.refuse_unless_policy_grant(relation oid) returns void
language plpgsql set search_path = ''
as $$
declare
  target record;
begin
  select n.nspname, c.relname, pg_catalog.pg_get_userbyid(c.relowner) as owner into target
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   where c.oid = relation;
  if target.owner in ('supabase_auth_admin', 'supabase_realtime_admin')
     and not format('%s.%s', target.nspname, target.relname) = any (pubdev_local.policy_grant_tables()) then
    raise exception 'must be owner of table %', target.relname using errcode = '42501';
  end if;
end;
$$;

create or replace function pubdev_local.lend_policy_owners() returns event_trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if session_user = 'postgres' then
    grant supabase_auth_admin, supabase_realtime_admin to postgres;
  end if;
end;
$$;

create or replace function pubdev_local.take_back_policy_owners() returns event_trigger
language plpgsql security definer set search_path = ''
as $$
declare
  command record;
begin
  if session_user <> 'postgres' then
    return;
  end if;
  for command in select * from pg_catalog.pg_event_trigger_ddl_commands() where object_type = 'policy' loop
    perform pubdev_local.refuse_unless_policy_grant(
      (select p.polrelid from pg_catalog.pg_policy p where p.oid = command.objid));
  end loop;
  revoke supabase_auth_admin, supabase_realtime_admin from postgres;
end;
$$;

create or replace function pubdev_local.check_dropped_policies() returns event_trigger
language plpgsql security definer set search_path = ''
as $$
declare
  dropped record;
begin
  if session_user <> 'postgres' then
    return;
  end if;
  for dropped in select * from pg_catalog.pg_event_trigger_dropped_objects() where object_type = 'policy' loop
    perform pubdev_local.refuse_unless_policy_grant(
      to_regclass(format('%I.%I', dropped.address_names[1], dropped.address_names[2])));
  end loop;
end;
$$;

revoke all on function pubdev_local.lend_policy_owners(), pubdev_local.take_back_policy_owners(),
  pubdev_local.check_dropped_policies(), pubdev_local.refuse_unless_policy_grant(oid) from public;

drop event trigger if exists pubdev_local_lend_policy_owners;
create event trigger pubdev_local_lend_policy_owners on ddl_command_start
  when tag in ('CREATE POLICY', 'ALTER POLICY', 'DROP POLICY')
  execute function pubdev_local.lend_policy_owners();

drop event trigger if exists pubdev_local_take_back_policy_owners;
create event trigger pubdev_local_take_back_policy_owners on ddl_command_end
  when tag in ('CREATE POLICY', 'ALTER POLICY', 'DROP POLICY')
  execute function pubdev_local.take_back_policy_owners();

drop event trigger if exists pubdev_local_check_dropped_policies;
create event trigger pubdev_local_check_dropped_policies on sql_drop
  when tag in ('DROP POLICY')
  execute function pubdev_local.check_dropped_policies();
