-- The database writes the activity stream (docs/data-model.md "Activity stream"): one
-- public.team_updates item per team action, inserted by a trigger in the transaction of the change
-- (a rolled-back change leaves no item), delivered live by team_updates' own broadcast trigger.
--   publishers            one item per changed field (custom fields: per key); an owner change is
--                         an ownership transfer, a territory change a move. Scoped like the record.
--   agent_runs            a run that becomes (or is reported as) completed or error. Scoped like
--                         the run: a run about a publisher like that publisher, other runs org-wide.
--   organization_members  a member whose territories change. Org-wide, like the roster itself.
--   An ownership that ends because its owner may no longer see the record (publisher_ownership:
--   a move out of their territories, fewer territories, their removal) is no transfer: a move
--   says so in its own item, otherwise it is an item of its own ("… no longer owns …").
-- Messages name people by their profile's display name, as of the change. The items of one save
-- are stamped with clock_timestamp(), at least a microsecond apart, so they keep the order they
-- were written in (newest first: the last field on top) instead of sharing the transaction's now()
-- and sorting by random id — also where the clock counts whole milliseconds (PGlite).
--
-- RATIONALE: triggers of their own, beside the broadcast and history triggers of these tables
-- rather than steps inside them: what the feed says is a separate concern from who hears about
-- a change and from the record's history, and each can change without the others.

-- ── publishers ──

create or replace function private.publishers_activity() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  actor constant text := private.display_name(new.updated_by);
  scope constant jsonb := jsonb_build_object('publisherId', new.id, 'publisherName', new.name);
  -- The owner may no longer see the record: the ownership ended, nobody gave it away.
  owner_lost constant boolean := new.owner_id is null and old.owner_id is not null
    and not private.may_own_publisher(new.organization_id, new.territory, old.owner_id);
  moved constant boolean := new.territory is distinct from old.territory;
  changed record;
  custom_key text;
  stamp timestamptz;
begin
  if new.version = old.version then
    return null;
  end if;
  for changed in
    select f.field, f.old_value, f.new_value
      from (values
        (1, 'name', to_jsonb(old.name), to_jsonb(new.name)),
        (2, 'status', to_jsonb(old.status), to_jsonb(new.status))
      ) as f (ord, field, old_value, new_value)
     where f.old_value is distinct from f.new_value
     order by f.ord
  loop
    stamp := greatest(clock_timestamp(), stamp + interval '1 microsecond');
    insert into public.team_updates (organization_id, update_type, message, user_id, territory, publisher_id, details, created_at)
    values (
      new.organization_id, 'publisher_update',
      format('%s changed %s: %s → %s', actor, changed.field,
             private.activity_value(changed.old_value), private.activity_value(changed.new_value)),
      new.updated_by, new.territory, new.id,
      scope || jsonb_build_object('action', 'field_changed', 'field', changed.field,
                                  'oldValue', changed.old_value, 'newValue', changed.new_value),
      stamp
    );
  end loop;

  for custom_key in
    select k.key
      from (select jsonb_object_keys(old.custom_fields) as key
            union
            select jsonb_object_keys(new.custom_fields)) as k
     where (old.custom_fields -> k.key) is distinct from (new.custom_fields -> k.key)
     order by k.key
  loop
    stamp := greatest(clock_timestamp(), stamp + interval '1 microsecond');
    insert into public.team_updates (organization_id, update_type, message, user_id, territory, publisher_id, details, created_at)
    values (
      new.organization_id, 'publisher_update',
      format('%s changed custom field %s: %s → %s', actor, left(custom_key, 100),
             private.activity_value(old.custom_fields -> custom_key),
             private.activity_value(new.custom_fields -> custom_key)),
      new.updated_by, new.territory, new.id,
      scope || jsonb_build_object('action', 'custom_field_changed', 'field', 'custom_fields', 'key', custom_key,
                                  'oldValue', coalesce(old.custom_fields -> custom_key, 'null'::jsonb),
                                  'newValue', coalesce(new.custom_fields -> custom_key, 'null'::jsonb)),
      stamp
    );
  end loop;

  if new.owner_id is distinct from old.owner_id and not (owner_lost and moved) then
    stamp := greatest(clock_timestamp(), stamp + interval '1 microsecond');
    insert into public.team_updates (organization_id, update_type, message, user_id, territory, publisher_id, details, created_at)
    values (
      new.organization_id, 'assignment',
      case when owner_lost then format('%s no longer owns %s', private.display_name(old.owner_id), new.name)
      else format('%s transferred ownership of %s: %s → %s', actor, new.name,
                  case when old.owner_id is null then 'nobody' else private.display_name(old.owner_id) end,
                  case when new.owner_id is null then 'nobody' else private.display_name(new.owner_id) end)
      end,
      new.updated_by, new.territory, new.id,
      scope || jsonb_build_object('action', case when owner_lost then 'ownership_ended' else 'ownership_transferred' end,
                                  'field', 'owner_id',
                                  'oldValue', to_jsonb(old.owner_id), 'newValue', to_jsonb(new.owner_id)),
      stamp
    );
  end if;

  -- Scoped to where the record is now: members of the territory it left no longer see it at all
  -- (they hear the record topic's "moved" notice instead).
  if moved then
    stamp := greatest(clock_timestamp(), stamp + interval '1 microsecond');
    insert into public.team_updates (organization_id, update_type, message, user_id, territory, publisher_id, details, created_at)
    values (
      new.organization_id, 'territory_change',
      format('%s moved %s: %s → %s', actor, new.name,
             coalesce(old.territory, 'unassigned'), coalesce(new.territory, 'unassigned'))
        || case when owner_lost and new.owner_id is distinct from old.owner_id
                then format(' (%s no longer owns it)', private.display_name(old.owner_id)) else '' end,
      new.updated_by, new.territory, new.id,
      scope || jsonb_build_object('action', 'publisher_moved', 'field', 'territory',
                                  'oldValue', to_jsonb(old.territory), 'newValue', to_jsonb(new.territory))
            || case when owner_lost and new.owner_id is distinct from old.owner_id
                    then jsonb_build_object('ownerEnded', old.owner_id) else '{}'::jsonb end,
      stamp
    );
  end if;
  return null;
end;
$$;

create trigger publishers_activity
  after update on public.publishers
  for each row execute function private.publishers_activity();

-- ── agent_runs ──

-- Scoped like the run (agent_run_visibility): a run about a publisher is an item about that
-- publisher — its current territory and publisher_id, so the item follows the publisher's
-- visibility as the run does and goes to the topic its agent_status goes to; organisation-wide
-- work is an org-wide item. A run written once as completed or error (reported after the fact)
-- is a completion or failure too, as agent_runs_notify counts it.
create or replace function private.agent_runs_activity() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  subject_name text;
  subject_territory text;
begin
  if new.status not in ('completed', 'error') or (tg_op = 'UPDATE' and new.status = old.status) then
    return null;
  end if;
  if new.publisher_id is not null then
    select p.name, p.territory into subject_name, subject_territory from public.publishers p where p.id = new.publisher_id;
  end if;
  insert into public.team_updates (organization_id, update_type, message, user_id, territory, publisher_id, details)
  values (
    new.organization_id, 'agent_run',
    left(case new.status
      when 'completed' then format('%s completed: %s', new.agent_id, coalesce(nullif(new.current_task, ''), 'done'))
      else format('%s failed: %s', new.agent_id, coalesce(nullif(new.error, ''), 'unknown error'))
    end, 2000),
    (select auth.uid()),
    subject_territory,
    new.publisher_id,
    jsonb_build_object('action', case new.status when 'completed' then 'agent_completed' else 'agent_failed' end,
                       'runId', new.id, 'agentId', new.agent_id, 'attempt', new.attempt)
      || case when new.publisher_id is null then '{}'::jsonb
              else jsonb_build_object('publisherId', new.publisher_id, 'publisherName', subject_name) end
  );
  return null;
end;
$$;

create trigger agent_runs_activity
  after insert or update of status on public.agent_runs
  for each row execute function private.agent_runs_activity();

-- ── organization_members ──

create or replace function private.organization_members_activity() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  actor constant uuid := (select auth.uid());
begin
  if new.territories = old.territories then
    return null;
  end if;
  insert into public.team_updates (organization_id, update_type, message, user_id, territory, details)
  values (
    new.organization_id, 'territory_change',
    format('%s changed the territories of %s: %s → %s', private.display_name(actor), private.display_name(new.user_id),
           private.activity_territories(old.territories), private.activity_territories(new.territories)),
    actor, null,
    jsonb_build_object('action', 'member_territories_changed', 'memberId', new.user_id,
                       'oldValue', to_jsonb(old.territories), 'newValue', to_jsonb(new.territories))
  );
  return null;
end;
$$;

create trigger organization_members_activity
  after update of territories on public.organization_members
  for each row execute function private.organization_members_activity();

revoke execute on function
  private.publishers_activity(), private.agent_runs_activity(), private.organization_members_activity()
  from public, anon, authenticated;
