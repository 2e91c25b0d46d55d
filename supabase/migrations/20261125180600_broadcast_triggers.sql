-- The database broadcasts every persisted change as a contract message (src/contract
-- message-schemas.ts) with realtime.send(payload, event = type, topic, private = true)
-- (docs/realtime-protocol.md §7.1). Envelope ids are deterministic so a live message and its
-- later backfill from the table de-duplicate by id. Trigger functions are `security definer`
-- (owned by the migration role) so they can write realtime.messages and notifications whatever the
-- caller's RLS allows.
-- Topic names are src/contract/topics.ts's (a publisher's record topic through
-- private.publisher_record_topic, in topic_policies); which topic carries what is docs/security.md.

-- ── agent_runs ──

-- seq only moves when something agent_status carries changes, so "no change, no message" and
-- clients can drop anything older than the last seq they saw.
create or replace function private.agent_runs_before_write() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  new.updated_at := now();
  if new.status = 'processing' and new.started_at is null then
    new.started_at := now();
  end if;
  if tg_op = 'UPDATE' and (new.id, new.organization_id) is distinct from (old.id, old.organization_id) then
    raise exception 'an agent run cannot move to another id or organization'
      using errcode = 'insufficient_privilege';
  end if;
  if tg_op = 'INSERT' then
    new.seq := 1;
  elsif (new.status, new.progress, new.current_task, new.estimated_time, new.queue_position, new.attempt, new.error, new.agent_id)
        is distinct from
        (old.status, old.progress, old.current_task, old.estimated_time, old.queue_position, old.attempt, old.error, old.agent_id) then
    new.seq := old.seq + 1;
  else
    new.seq := old.seq;
  end if;
  return new;
end;
$$;

create or replace function private.agent_runs_broadcast() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.seq = old.seq then
    return null;
  end if;
  perform realtime.send(
    jsonb_build_object(
      'id', new.id::text || ':' || new.seq::text,
      'type', 'agent_status',
      'seq', new.seq,
      'timestamp', private.iso_timestamp(new.updated_at),
      'data', jsonb_build_object(
        'agentId', new.agent_id,
        'status', new.status,
        'runId', new.id,
        'progress', case
          when new.progress is not null or new.current_task is not null then
            jsonb_build_object(
              'progress', coalesce(new.progress, 0),
              'currentTask', coalesce(new.current_task, ''),
              'estimatedTime', new.estimated_time
            )
        end,
        'queuePosition', new.queue_position,
        'attempt', new.attempt,
        'error', new.error
      )
    ),
    'agent_status',
    'org:' || new.organization_id::text,
    true
  );
  -- A run that fails tells the whole organisation (the notification broadcasts itself).
  if new.status = 'error' and (tg_op = 'INSERT' or old.status <> 'error') then
    insert into public.notifications (organization_id, user_id, level, message, persistent, source)
    values (
      new.organization_id, null, 'error',
      left(format('Agent %s failed: %s', new.agent_id, coalesce(nullif(new.error, ''), 'unknown error')), 2000),
      true, 'agent'
    );
  end if;
  return null;
end;
$$;

create trigger agent_runs_before_write
  before insert or update on public.agent_runs
  for each row execute function private.agent_runs_before_write();
create trigger agent_runs_broadcast
  after insert or update on public.agent_runs
  for each row execute function private.agent_runs_broadcast();

-- ── publishers ──

create or replace function private.publishers_before_write() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    new.version := 1;
    new.updated_at := now();
    new.updated_by := coalesce((select auth.uid()), new.updated_by);
    return new;
  end if;
  if (new.name, new.status, new.territory, new.owner_id, new.custom_fields)
     is not distinct from (old.name, old.status, old.territory, old.owner_id, old.custom_fields) then
    new.version := old.version;
    new.updated_at := old.updated_at;
    new.updated_by := old.updated_by;
    return new;
  end if;
  new.version := old.version + 1;
  new.updated_at := now();
  -- A user's own id wins; the service role (no auth.uid()) may name the user it acts for by
  -- setting updated_by, otherwise the change is attributed to nobody rather than to the last editor.
  new.updated_by := coalesce(
    (select auth.uid()),
    case when new.updated_by is distinct from old.updated_by then new.updated_by end
  );
  return new;
end;
$$;

-- publisher_update goes to the publisher's read-only record topic and its territory topic only
-- (never to a topic clients may write), and both are the CURRENT territory's: one message per
-- changed field on each. When the territory changes, the old record topic and the old territory
-- topic hear one minimal "moved" notice and nothing else: a publisher_update with field
-- `territory`, `oldValue` the territory it left, no `newValue` and no editor, so a member who may
-- not follow the record learns only that it left. Its id is the territory change's id
-- ("<publisherId>:<version>:territory"): the same change, told with less.
create or replace function private.publishers_broadcast() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  changed record;
  message jsonb;
  record_topic text := private.publisher_record_topic(new.organization_id, new.territory, new.id);
begin
  if new.version = old.version then
    return null;
  end if;
  for changed in
    select f.field, f.old_value, f.new_value
      from (values
        ('name', to_jsonb(old.name), to_jsonb(new.name)),
        ('status', to_jsonb(old.status), to_jsonb(new.status)),
        ('territory', to_jsonb(old.territory), to_jsonb(new.territory)),
        ('owner_id', to_jsonb(old.owner_id), to_jsonb(new.owner_id)),
        ('custom_fields', old.custom_fields, new.custom_fields)
      ) as f (field, old_value, new_value)
     where f.old_value is distinct from f.new_value
  loop
    message := jsonb_build_object(
      'id', new.id::text || ':' || new.version::text || ':' || changed.field,
      'type', 'publisher_update',
      'version', new.version,
      'timestamp', private.iso_timestamp(new.updated_at),
      'data', jsonb_build_object(
        'publisherId', new.id,
        'update', jsonb_build_object(
          'field', changed.field,
          'oldValue', coalesce(changed.old_value, 'null'::jsonb),
          'newValue', coalesce(changed.new_value, 'null'::jsonb),
          'updatedBy', new.updated_by
        )
      )
    );
    perform realtime.send(message, 'publisher_update', record_topic, true);
    if new.territory is not null then
      perform realtime.send(message, 'publisher_update',
        'org:' || new.organization_id::text || ':territory:' || new.territory, true);
    end if;
  end loop;

  if new.territory is distinct from old.territory then
    message := jsonb_build_object(
      'id', new.id::text || ':' || new.version::text || ':territory',
      'type', 'publisher_update',
      'version', new.version,
      'timestamp', private.iso_timestamp(new.updated_at),
      'data', jsonb_build_object(
        'publisherId', new.id,
        'update', jsonb_build_object(
          'field', 'territory',
          'oldValue', coalesce(to_jsonb(old.territory), 'null'::jsonb),
          'updatedBy', null
        )
      )
    );
    perform realtime.send(message, 'publisher_update',
      private.publisher_record_topic(new.organization_id, old.territory, new.id), true);
    if old.territory is not null then
      perform realtime.send(message, 'publisher_update',
        'org:' || new.organization_id::text || ':territory:' || old.territory, true);
    end if;
  end if;
  return null;
end;
$$;

create trigger publishers_before_write
  before insert or update on public.publishers
  for each row execute function private.publishers_before_write();
create trigger publishers_broadcast
  after update on public.publishers
  for each row execute function private.publishers_broadcast();

-- ── team_updates ──

create or replace function private.team_updates_broadcast() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.send(
    jsonb_build_object(
      'id', new.id,
      'type', 'team_update',
      'timestamp', private.iso_timestamp(new.created_at),
      'data', jsonb_build_object(
        'updateType', new.update_type,
        'message', new.message,
        'userId', new.user_id,
        'territory', new.territory,
        'details', new.details
      )
    ),
    'team_update',
    case
      when new.territory is null then 'org:' || new.organization_id::text
      else 'org:' || new.organization_id::text || ':territory:' || new.territory
    end,
    true
  );
  -- @mentions notify each mentioned member of this organisation once; ids of anyone else are
  -- ignored, so a mention can never reach across organisations.
  if jsonb_typeof(new.details -> 'mentions') = 'array' then
    insert into public.notifications (organization_id, user_id, level, message, persistent, source)
    select new.organization_id, m.user_id, 'info', left('You were mentioned: ' || new.message, 2000), false, 'mention'
      from public.organization_members m
     where m.organization_id = new.organization_id
       and m.user_id::text in (select jsonb_array_elements_text(new.details -> 'mentions'))
     order by m.user_id;
  end if;
  return null;
end;
$$;

create trigger team_updates_broadcast
  after insert on public.team_updates
  for each row execute function private.team_updates_broadcast();

-- ── notifications ──

create or replace function private.notifications_broadcast() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.send(
    jsonb_build_object(
      'id', new.id,
      'type', 'notification',
      'timestamp', private.iso_timestamp(new.created_at),
      'data', jsonb_build_object(
        'message', new.message,
        'level', new.level,
        'actionUrl', new.action_url,
        'persistent', new.persistent,
        'userId', new.user_id
      )
    ),
    'notification',
    case
      when new.user_id is null then 'org:' || new.organization_id::text
      else 'user:' || new.user_id::text
    end,
    true
  );
  return null;
end;
$$;

create trigger notifications_broadcast
  after insert on public.notifications
  for each row execute function private.notifications_broadcast();

revoke execute on function
  private.agent_runs_before_write(), private.agent_runs_broadcast(), private.publishers_before_write(),
  private.publishers_broadcast(), private.team_updates_broadcast(), private.notifications_broadcast()
  from public, anon, authenticated;
