-- The life of an agent run, enforced by the database (docs/data-model.md "Run lifecycle"):
--
--   idle ──► queued ──► processing ──► completed | error | cancelled
--     │        │            │  ▲
--     │        └► cancelled └──┴─ queued again as the next attempt (a failed or stalled attempt)
--     └► processing | cancelled           error ──► queued as the next attempt (retry)
--
-- A new run starts idle, queued or processing, or is written once as completed or error (a run
-- reported after the fact). completed and cancelled are final. Going back to the queue takes the
-- next attempt number (attempt + 1); every other write keeps the attempt, so a worker that lost
-- its run (it was re-queued, and maybe claimed again) is refused instead of overwriting it.
-- A refused change raises SQLSTATE PT409 (HTTP 409 through PostgREST) with the run, the statuses
-- and the attempts in the message, and `current status: <status>` as its detail.
--
-- The database owns seq, updated_at, started_at, claimed_by, lease_expires_at and queue_position:
-- values a client writes there are replaced. Each write that changes what agent_status carries
-- moves seq by one and is broadcast once (agent_runs_broadcast), in order.
-- supersedes: function private.agent_runs_before_write
-- supersedes: function private.agent_runs_broadcast

create or replace function private.agent_run_refused(run uuid, why text, status text) returns void
language plpgsql volatile set search_path = ''
as $$
begin
  raise exception 'agent run %: %', run, why using errcode = 'PT409', detail = 'current status: ' || status;
end;
$$;

create or replace function private.agent_runs_before_write() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  -- Set only by private.refresh_agent_queue while it renumbers a queue.
  renumbering constant boolean := coalesce(current_setting('pubdev.agent_queue_renumbering', true), '') = 'on';
  lease constant interval := make_interval(secs => new.lease_seconds);
begin
  new.updated_at := now();
  if tg_op = 'INSERT' then
    if new.status = 'cancelled' then
      perform private.agent_run_refused(new.id, 'a run cannot start cancelled', 'none');
    end if;
    new.seq := 1;
    new.queue_position := null;
    -- A named requester must be a member; the caller as requester, and the publisher for a
    -- signed-in caller, are RLS's to judge (a refusal there says no more than "not allowed").
    if new.requested_by is not null and new.requested_by is distinct from (select auth.uid()) and not exists (
      select 1 from public.organization_members m
       where m.organization_id = new.organization_id and m.user_id = new.requested_by
    ) then
      raise exception 'agent run %: requested_by % is not a member of the organization', new.id, new.requested_by
        using errcode = '23514';
    end if;
    new.requested_by := coalesce(new.requested_by, (select auth.uid()));
    if (select auth.uid()) is null and new.publisher_id is not null and not exists (
      select 1 from public.publishers p where p.id = new.publisher_id and p.organization_id = new.organization_id
    ) then
      raise exception 'agent run %: publisher % is not a publisher of the organization', new.id, new.publisher_id
        using errcode = '23514';
    end if;
    if new.status = 'processing' then
      new.started_at := coalesce(new.started_at, now());
      new.claimed_by := (select auth.uid());
      new.lease_expires_at := now() + lease;
    else
      new.claimed_by := null;
      new.lease_expires_at := null;
    end if;
    return new;
  end if;

  if (new.id, new.organization_id) is distinct from (old.id, old.organization_id) then
    raise exception 'an agent run cannot move to another id or organization'
      using errcode = 'insufficient_privilege';
  end if;
  if (new.publisher_id, new.requested_by, new.agent_id, new.created_at)
     is distinct from (old.publisher_id, old.requested_by, old.agent_id, old.created_at) then
    perform private.agent_run_refused(new.id, 'its agent, publisher, requester and creation time never change', old.status);
  end if;

  if renumbering then
    -- Only the position moves; everything else stays as it is.
    new.seq := old.seq + 1;
    return new;
  end if;
  new.queue_position := old.queue_position;
  new.claimed_by := old.claimed_by;
  new.started_at := old.started_at;
  new.lease_expires_at := old.lease_expires_at;

  -- The attempt first: a write for an attempt that is over is refused whatever it says.
  if new.status = 'queued' and old.status in ('processing', 'error') then
    if new.attempt is distinct from old.attempt + 1 then
      perform private.agent_run_refused(new.id,
        format('going back to the queue is attempt %s, not %s', old.attempt + 1, new.attempt), old.status);
    end if;
  elsif new.attempt is distinct from old.attempt then
    perform private.agent_run_refused(new.id,
      format('attempt %s is not the current one (attempt %s)', new.attempt, old.attempt), old.status);
  end if;

  if new.status is distinct from old.status then
    if not coalesce(case old.status
      when 'idle' then new.status in ('queued', 'processing', 'cancelled')
      when 'queued' then new.status in ('processing', 'cancelled')
      when 'processing' then new.status in ('completed', 'error', 'cancelled', 'queued')
      when 'error' then new.status = 'queued'
      else false
    end, false) then
      perform private.agent_run_refused(new.id,
        case old.status
          when 'cancelled' then 'it was cancelled'
          when 'completed' then 'it is completed'
          else format('%s → %s is not a transition of the run lifecycle', old.status, new.status)
        end,
        old.status);
    end if;
  elsif old.status in ('completed', 'cancelled')
    and (new.progress, new.current_task, new.estimated_time, new.error, new.result, new.priority, new.input, new.lease_seconds)
        is distinct from
        (old.progress, old.current_task, old.estimated_time, old.error, old.result, old.priority, old.input, old.lease_seconds) then
    perform private.agent_run_refused(new.id,
      case old.status when 'cancelled' then 'it was cancelled' else 'it is completed' end, old.status);
  end if;

  -- Entering processing starts an attempt and its lease; staying there renews the lease once a
  -- quarter of it has passed (so that re-sending the same report changes nothing); leaving it
  -- ends the lease.
  if new.status = 'processing' and old.status <> 'processing' then
    new.started_at := now();
    new.claimed_by := (select auth.uid());
    new.lease_expires_at := now() + lease;
  elsif new.status = 'processing' then
    if old.lease_expires_at is null or now() + lease - old.lease_expires_at >= lease / 4
       or new.lease_seconds <> old.lease_seconds then
      new.lease_expires_at := now() + lease;
    end if;
  else
    new.lease_expires_at := null;
  end if;
  if new.status <> 'queued' then
    new.queue_position := null;
  end if;
  if new.status = 'queued' and old.status <> 'queued' then
    new.claimed_by := null;
  end if;

  if (new.status, new.progress, new.current_task, new.estimated_time, new.queue_position, new.attempt, new.error,
      new.result, new.priority, new.lease_expires_at)
     is distinct from
     (old.status, old.progress, old.current_task, old.estimated_time, old.queue_position, old.attempt, old.error,
      old.result, old.priority, old.lease_expires_at) then
    new.seq := old.seq + 1;
  else
    new.seq := old.seq;
  end if;
  return new;
end;
$$;

-- agent_status goes where the run is visible: organisation-wide work to `org:<org>`; a run about a
-- publisher to the topic of the publisher's territory, or, for an unassigned publisher, to its
-- record topic (readers: who may see that publisher). So nobody receives a run about a publisher
-- they may not see, whatever topic they hold.
create or replace function private.agent_run_topic(org uuid, publisher uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select case
    when publisher is null then 'org:' || org::text
    else coalesce(
      (select case
         when p.territory is null then private.publisher_record_topic(org, null, p.id)
         else 'org:' || org::text || ':territory:' || p.territory
       end
         from public.publishers p where p.id = publisher),
      'org:' || org::text || ':unassigned:publisher:' || publisher::text)
  end
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
        'error', new.error,
        'result', new.result,
        'publisherId', new.publisher_id,
        'requestedBy', new.requested_by,
        'priority', new.priority,
        'leaseExpiresAt', private.iso_timestamp(new.lease_expires_at)
      )
    ),
    'agent_status',
    private.agent_run_topic(new.organization_id, new.publisher_id),
    true
  );
  return null;
end;
$$;

revoke execute on function
  private.agent_run_refused(uuid, text, text), private.agent_run_topic(uuid, uuid)
  from public;
grant execute on function
  private.agent_run_refused(uuid, text, text), private.agent_run_topic(uuid, uuid)
  to anon, authenticated, service_role;
revoke execute on function private.agent_runs_before_write(), private.agent_runs_broadcast()
  from public, anon, authenticated;
