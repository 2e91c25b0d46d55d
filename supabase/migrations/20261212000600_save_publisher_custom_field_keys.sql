-- save_publisher with custom fields saved per key (docs/data-model.md "save_publisher"): besides
-- the five fields, `changes` may name single custom fields as `custom_fields.<key>`; JSON null
-- removes the key. Such a key is in conflict only when someone else changed THAT key after
-- base_version, so two people editing different keys of one record both land, and the same key
-- yields a conflict named `custom_fields.<key>`. `custom_fields` as a whole keeps its meaning
-- (replace the object; a conflict when anyone else changed any key); a save may not mix the forms.
-- supersedes: function public.save_publisher
--
-- Everything else is as in save_publisher.sql: answers { ok, publisher, conflicts? }, security
-- invoker (RLS and column grants decide), the row locked before the history is read, errors
-- 22023 (400) invalid input, PT404 (404) not found or not readable, 42501 (403) not editable,
-- 23514 (400) a value the table's checks refuse.
--
-- RATIONALE: a key's history needs no table of its own. publisher_changes keeps each version's
-- whole custom_fields object (old and new), so "who last changed key k after version v" is the
-- newest change row after v whose old and new objects differ at k.

create or replace function public.save_publisher(publisher_id uuid, base_version integer, changes jsonb)
returns jsonb
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  allowed constant text[] := array['name', 'status', 'territory', 'owner_id', 'custom_fields'];
  uuid_re constant text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
  key_prefix constant text := 'custom_fields.';
  target public.publishers;
  wanted_field text;
  wanted_value jsonb;
  custom_key text;
  current_value jsonb;
  last_change record;
  to_apply jsonb := '{}'::jsonb;
  key_changes jsonb := '{}'::jsonb;
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
      using errcode = '22023', hint = 'fields: ' || array_to_string(allowed, ', ') || ', custom_fields.<key>';
  end if;
  for wanted_field, wanted_value in select e.key, e.value from jsonb_each(save_publisher.changes) as e order by e.key loop
    if starts_with(wanted_field, key_prefix) then
      custom_key := substr(wanted_field, char_length(key_prefix) + 1);
      if char_length(custom_key) not between 1 and 100 then
        raise exception 'a custom field key is 1 to 100 characters, got %', char_length(custom_key) using errcode = '22023';
      end if;
      if save_publisher.changes ? 'custom_fields' then
        raise exception 'changes may set custom_fields as a whole or per key (custom_fields.<key>), not both'
          using errcode = '22023';
      end if;
      continue;
    end if;
    if not wanted_field = any (allowed) then
      raise exception 'unknown publisher field: %', wanted_field
        using errcode = '22023', hint = 'fields: ' || array_to_string(allowed, ', ') || ', custom_fields.<key>';
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
    if starts_with(wanted_field, key_prefix) then
      custom_key := substr(wanted_field, char_length(key_prefix) + 1);
      current_value := target.custom_fields -> custom_key;
      select c.changed_by, c.changed_at into last_change
        from public.publisher_changes c
       where c.publisher_id = target.id and c.version > save_publisher.base_version and c.field = 'custom_fields'
         and c.changed_by is distinct from (select auth.uid())
         and (c.old_value -> custom_key) is distinct from (c.new_value -> custom_key)
       order by c.version desc
       limit 1;
      -- JSON null asks for the key's removal: "already so" when the key is absent.
      if found and coalesce(current_value, 'null'::jsonb) is distinct from wanted_value then
        conflicts := conflicts || jsonb_build_object(
          'field', wanted_field,
          'yours', wanted_value,
          'current', coalesce(current_value, 'null'::jsonb),
          'updatedBy', last_change.changed_by,
          'updatedAt', private.iso_timestamp(last_change.changed_at)
        );
      else
        key_changes := key_changes || jsonb_build_object(custom_key, wanted_value);
      end if;
      continue;
    end if;
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

  -- Per-key changes merge into the CURRENT object (whatever others saved meanwhile stays).
  if key_changes <> '{}'::jsonb then
    to_apply := to_apply || jsonb_build_object('custom_fields', (
      select coalesce(jsonb_object_agg(kept.key, kept.value), '{}'::jsonb)
        from (
          select e.key, e.value from jsonb_each(target.custom_fields) as e where not key_changes ? e.key
          union all
          select e.key, e.value from jsonb_each(key_changes) as e where jsonb_typeof(e.value) <> 'null'
        ) as kept
    ));
  end if;

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
