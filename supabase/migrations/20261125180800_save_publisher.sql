-- save_publisher(publisher_id, base_version, changes): field-level saves with conflict detection,
-- called as `supabase.rpc('save_publisher', { publisher_id, base_version, changes })`.
--
-- `changes` maps fields (name, status, territory, owner_id, custom_fields) to the values the user
-- wants. A field is in conflict when someone else changed it after `base_version` (the version the
-- user's form started from) and its current value is not already what the user wants. Answer:
--   { ok: true,  publisher }                  every field applied (or already so);
--   { ok: false, publisher, conflicts: [...] } the other fields applied, these refused:
--     { field, yours, current, updatedBy, updatedAt } (the last change of that field by someone else).
-- `publisher` is the row after the save, as the caller may read it.
--
-- RATIONALE: a partial conflict still applies the fields nobody else touched. Two people editing
-- different fields of one record is the common case and must both land; refusing the whole save
-- would make the second one retype fields that were never in dispute. The caller learns exactly
-- which fields were refused, with both values, and can resolve them with a new base_version.
--
-- RATIONALE: security invoker. RLS and column grants decide who may read and edit the record, as
-- for a plain PostgREST update; the function adds only the version check. The row is locked
-- (`for update`) before the history is read, so two concurrent saves run one after the other:
-- the second sees the first's committed change (read committed re-reads after the lock wait) and
-- either applies beside it (other fields) or reports it as a conflict (same field).
--
-- Errors (PostgREST turns the SQLSTATE into the HTTP status):
--   22023 (400) invalid input: not an object, unknown field, wrong JSON type, bad uuid, bad version;
--   PT404 (404) no such publisher, or one the caller may not read (the two are indistinguishable);
--   42501 (403) the caller may read but not edit it (agent accounts), or the new values leave
--               the caller's territories (the update policy's `with check`);
--   23514 (400) a value the table's check constraints refuse (e.g. an empty name).

create or replace function public.save_publisher(publisher_id uuid, base_version integer, changes jsonb)
returns jsonb
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  allowed constant text[] := array['name', 'status', 'territory', 'owner_id', 'custom_fields'];
  uuid_re constant text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
  target public.publishers;
  wanted_field text;
  wanted_value jsonb;
  last_change record;
  to_apply jsonb := '{}'::jsonb;
  conflicts jsonb := '[]'::jsonb;
begin
  -- ── Input: refuse anything malformed before touching a row ──
  if save_publisher.publisher_id is null then
    raise exception 'publisher_id is required' using errcode = '22023';
  end if;
  if save_publisher.base_version is null or save_publisher.base_version < 1 then
    raise exception 'base_version must be a version number (1 or more), got %', coalesce(save_publisher.base_version::text, 'null')
      using errcode = '22023';
  end if;
  if save_publisher.changes is null or jsonb_typeof(save_publisher.changes) <> 'object' then
    raise exception 'changes must be a JSON object of field: value, got %', coalesce(jsonb_typeof(save_publisher.changes), 'null')
      using errcode = '22023', hint = 'fields: ' || array_to_string(allowed, ', ');
  end if;
  for wanted_field, wanted_value in select e.key, e.value from jsonb_each(save_publisher.changes) as e order by e.key loop
    if not wanted_field = any (allowed) then
      raise exception 'unknown publisher field: %', wanted_field
        using errcode = '22023', hint = 'fields: ' || array_to_string(allowed, ', ');
    end if;
    if wanted_field in ('name', 'status') and jsonb_typeof(wanted_value) <> 'string' then
      raise exception '% must be a string, got %', wanted_field, jsonb_typeof(wanted_value) using errcode = '22023';
    end if;
    if wanted_field in ('territory', 'owner_id') and jsonb_typeof(wanted_value) not in ('string', 'null') then
      raise exception '% must be a string or null, got %', wanted_field, jsonb_typeof(wanted_value) using errcode = '22023';
    end if;
    if wanted_field = 'owner_id' and jsonb_typeof(wanted_value) = 'string' and (wanted_value #>> '{}') !~ uuid_re then
      raise exception 'owner_id must be a uuid' using errcode = '22023';
    end if;
    if wanted_field = 'custom_fields' and jsonb_typeof(wanted_value) <> 'object' then
      raise exception 'custom_fields must be a JSON object, got %', jsonb_typeof(wanted_value) using errcode = '22023';
    end if;
  end loop;

  -- ── Lock the row: `for update` passes the select and the update policies (and waits for a
  -- concurrent save). Nothing found: tell "may read" (403) from "cannot see" (404). ──
  select p.* into target from public.publishers p where p.id = save_publisher.publisher_id for update;
  if not found then
    if exists (select 1 from public.publishers p where p.id = save_publisher.publisher_id) then
      raise exception 'not allowed to edit publisher %', save_publisher.publisher_id using errcode = '42501';
    end if;
    raise exception 'publisher % not found', save_publisher.publisher_id using errcode = 'PT404';
  end if;
  if save_publisher.base_version > target.version then
    raise exception 'base_version % is ahead of the publisher''s version %', save_publisher.base_version, target.version
      using errcode = '22023';
  end if;

  -- ── Split the fields: conflicting ones are reported, the others applied ──
  for wanted_field, wanted_value in select e.key, e.value from jsonb_each(save_publisher.changes) as e order by e.key loop
    select c.changed_by, c.changed_at into last_change
      from public.publisher_changes c
     where c.publisher_id = target.id and c.version > save_publisher.base_version and c.field = wanted_field
       and c.changed_by is distinct from (select auth.uid())
     order by c.version desc
     limit 1;
    if found and (to_jsonb(target) -> wanted_field) is distinct from wanted_value then
      conflicts := conflicts || jsonb_build_object(
        'field', wanted_field,
        'yours', wanted_value,
        'current', to_jsonb(target) -> wanted_field,
        'updatedBy', last_change.changed_by,
        'updatedAt', private.iso_timestamp(last_change.changed_at)
      );
    else
      to_apply := to_apply || jsonb_build_object(wanted_field, wanted_value);
    end if;
  end loop;

  -- Unchanged values leave the version alone (private.publishers_before_write compares the row).
  if to_apply <> '{}'::jsonb then
    update public.publishers p set
      name = case when to_apply ? 'name' then to_apply ->> 'name' else p.name end,
      status = case when to_apply ? 'status' then to_apply ->> 'status' else p.status end,
      territory = case when to_apply ? 'territory' then to_apply ->> 'territory' else p.territory end,
      owner_id = case when to_apply ? 'owner_id' then (to_apply ->> 'owner_id')::uuid else p.owner_id end,
      custom_fields = case when to_apply ? 'custom_fields' then to_apply -> 'custom_fields' else p.custom_fields end
     where p.id = target.id
    returning p.* into target;
  end if;

  if jsonb_array_length(conflicts) = 0 then
    return jsonb_build_object('ok', true, 'publisher', to_jsonb(target));
  end if;
  return jsonb_build_object('ok', false, 'publisher', to_jsonb(target), 'conflicts', conflicts);
end;
$$;

revoke execute on function public.save_publisher(uuid, integer, jsonb) from public, anon;
grant execute on function public.save_publisher(uuid, integer, jsonb) to authenticated, service_role;
