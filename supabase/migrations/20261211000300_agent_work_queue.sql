-- The agents' work queue (docs/data-model.md "Work queue"): a queued run is a work item of the
-- queue of its (organisation, agent_id), ordered by priority (higher first), then creation order.
--   claim_next_work      an agent takes the next item atomically (for update skip locked);
--   cancel_agent_run     stops a queued or running run;
--   retry_agent_run      queues a failed or stalled run again as its next attempt;
--   public.agent_run_states  the runs with `stalled` and the server's clock, computed on read;
--   private.requeue_stalled_agent_runs  re-queues (or fails) stalled runs: for a scheduler.
-- Positions are the database's: the first QUEUE_HEAD (10) items of each queue carry their
-- position (1 = next), renumbered and broadcast whenever the queue changes; later items carry
-- none (the dashboard says "in queue"). Renumbering takes a per-queue transaction lock, so every
-- change of one queue (claims too) is serialised up to its commit and positions never go stale;
-- claims of different queues run side by side.
-- A trigger (agent_runs_lifecycle) keeps the attempt history and renumbers the queue.

-- The lock that serialises the changes of one queue (a transaction-level advisory lock).
create or replace function private.lock_agent_queue(org uuid, agent text) returns void
language sql volatile set search_path = ''
as $$ select pg_advisory_xact_lock(hashtextextended('pubdev.agent_queue:' || org::text || ':' || agent, 0)) $$;

-- Gives the head of the queue its positions 1..10 and takes them from everything else.
create or replace function private.refresh_agent_queue(org uuid, agent text) returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  queue_head constant integer := 10;
begin
  perform private.lock_agent_queue(org, agent);
  perform set_config('pubdev.agent_queue_renumbering', 'on', true);
  with head as (
    select r.id, row_number() over (order by r.priority desc, r.created_at, r.id) as position
      from public.agent_runs r
     where r.organization_id = org and r.agent_id = agent and r.status = 'queued'
     order by r.priority desc, r.created_at, r.id
     limit queue_head
  ),
  changes as (
    select coalesce(h.id, numbered.id) as id, h.position
      from head h
      full join (
        select r.id from public.agent_runs r
         where r.organization_id = org and r.agent_id = agent and r.queue_position is not null
      ) numbered on numbered.id = h.id
  )
  update public.agent_runs r set queue_position = c.position
    from changes c
   where r.id = c.id and r.queue_position is distinct from c.position;
  perform set_config('pubdev.agent_queue_renumbering', '', true);
end;
$$;

-- After every write: the attempt that ended goes into the history, and a queue whose members or
-- order changed is renumbered.
create or replace function private.agent_runs_lifecycle() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  was_queued constant boolean := tg_op = 'UPDATE' and old.status = 'queued';
  ended boolean;
begin
  if coalesce(current_setting('pubdev.agent_queue_renumbering', true), '') = 'on' then
    return null;
  end if;
  if tg_op = 'INSERT' then
    if new.status in ('completed', 'error') then
      insert into public.agent_run_attempts (run_id, attempt, outcome, error, claimed_by, started_at)
      values (new.id, new.attempt, new.status, new.error, new.claimed_by, new.started_at);
    end if;
  elsif new.status is distinct from old.status or new.attempt is distinct from old.attempt then
    ended := new.status in ('completed', 'error', 'cancelled')
      or (old.status = 'processing' and new.status = 'queued');
    if ended then
      insert into public.agent_run_attempts (run_id, attempt, outcome, error, claimed_by, started_at)
      values (
        new.id, old.attempt,
        case
          when new.status <> 'queued' then new.status
          when old.lease_expires_at < now() then 'stalled'
          else 'error'
        end,
        new.error, old.claimed_by, old.started_at
      )
      on conflict (run_id, attempt) do nothing;
    end if;
  end if;
  if (tg_op = 'INSERT' and new.status = 'queued')
     or (tg_op = 'UPDATE' and (was_queued <> (new.status = 'queued')
         or (was_queued and new.priority <> old.priority))) then
    perform private.refresh_agent_queue(new.organization_id, new.agent_id);
  end if;
  return null;
end;
$$;

create trigger agent_runs_lifecycle
  after insert or update on public.agent_runs
  for each row execute function private.agent_runs_lifecycle();

-- Claims the next item of the queue (organization_id, agent_id) for the caller: the run becomes
-- processing, claimed by the caller, with a lease of `lease_seconds` (default: the run's own,
-- 60 s) that every report renews. Returns the run, or no row when the queue is empty.
-- Security invoker: RLS decides as for any write of the caller (agent accounts, owners, admins).
create or replace function public.claim_next_work(organization_id uuid, agent_id text, lease_seconds integer default null)
returns setof public.agent_runs
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  next_id uuid;
begin
  if not private.can_write_agent_runs(claim_next_work.organization_id) then
    raise exception 'only agent accounts, owners and admins of the organization claim work' using errcode = '42501';
  end if;
  if claim_next_work.lease_seconds is not null and claim_next_work.lease_seconds not between 1 and 3600 then
    raise exception 'lease_seconds must be between 1 and 3600, got %', claim_next_work.lease_seconds
      using errcode = '22023';
  end if;
  -- RATIONALE: the queue lock first, then skip locked. The lock makes claims of one queue take
  -- turns (so the renumbering after each claim never works from a stale view of the queue, and
  -- the order holds); skip locked keeps a claim from waiting on an item someone else is changing
  -- (a person cancelling it) and is what makes claims safe where no lock is taken.
  perform private.lock_agent_queue(claim_next_work.organization_id, claim_next_work.agent_id);
  select r.id into next_id
    from public.agent_runs r
   where r.organization_id = claim_next_work.organization_id and r.agent_id = claim_next_work.agent_id
     and r.status = 'queued'
   order by r.priority desc, r.created_at, r.id
   limit 1
   for update skip locked;
  if next_id is null then
    return;
  end if;
  return query
    update public.agent_runs r
       set status = 'processing', error = null,
           lease_seconds = coalesce(claim_next_work.lease_seconds, r.lease_seconds)
     where r.id = next_id
    returning r.*;
end;
$$;

-- Who may control (cancel, retry) a run: owners and admins, agent accounts, and the person who
-- requested it; all of them only while they may see the run.
create or replace function private.can_control_agent_run(run public.agent_runs) returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.can_see_agent_run(run.organization_id, run.publisher_id)
     and (private.member_role(run.organization_id) in ('owner', 'admin', 'agent')
          or run.requested_by = (select auth.uid()))
$$;

-- The run `id` for a control call, locked, or the refusal: 404 when the caller cannot see it,
-- 403 when they may see but not control it.
create or replace function private.agent_run_for_control(id uuid, action text) returns public.agent_runs
language plpgsql volatile security definer set search_path = ''
as $$
declare
  run public.agent_runs;
begin
  select * into run from public.agent_runs r where r.id = agent_run_for_control.id for update;
  if not found or not private.can_see_agent_run(run.organization_id, run.publisher_id) then
    raise exception 'agent run % not found', agent_run_for_control.id using errcode = 'PT404';
  end if;
  if not private.can_control_agent_run(run) then
    raise exception 'only owners, admins, agent accounts and the person who requested a run may % it', action
      using errcode = '42501';
  end if;
  return run;
end;
$$;

-- Whether a processing run's lease has expired (its agent stopped reporting).
create or replace function private.is_stalled(run public.agent_runs) returns boolean
language sql stable set search_path = ''
as $$ select run.status = 'processing' and run.lease_expires_at is not null and run.lease_expires_at < now() $$;

-- Cancels a queued or running run (a running agent learns it at its next report). Returns the run.
-- Security definer (a requester may not update runs under RLS), so it lives in `private`, which
-- PostgREST does not expose; clients call the invoker wrapper public.cancel_agent_run.
create or replace function private.cancel_agent_run(id uuid) returns public.agent_runs
language plpgsql volatile security definer set search_path = ''
as $$
declare
  run public.agent_runs := private.agent_run_for_control(cancel_agent_run.id, 'cancel');
begin
  if run.status not in ('idle', 'queued', 'processing') then
    raise exception 'agent run % is %: only queued or running runs can be cancelled', run.id, run.status
      using errcode = 'PT409', detail = 'current status: ' || run.status;
  end if;
  update public.agent_runs r set status = 'cancelled', estimated_time = null where r.id = run.id;
  select * into run from public.agent_runs r where r.id = cancel_agent_run.id;
  return run;
end;
$$;

-- Queues a failed run, or a stalled one, again as its next attempt, in its old place in the
-- queue (priority and creation order are unchanged). Returns the run. In `private` for the same
-- reason as cancel; clients call public.retry_agent_run.
create or replace function private.retry_agent_run(id uuid) returns public.agent_runs
language plpgsql volatile security definer set search_path = ''
as $$
declare
  run public.agent_runs := private.agent_run_for_control(retry_agent_run.id, 'retry');
begin
  if not (run.status = 'error' or private.is_stalled(run)) then
    raise exception 'agent run % is %: only failed or stalled runs can be retried', run.id,
      case when run.status = 'processing' then 'running' else run.status end
      using errcode = 'PT409', detail = 'current status: ' || run.status;
  end if;
  update public.agent_runs r
     set status = 'queued', attempt = run.attempt + 1, estimated_time = null,
         error = case when run.status = 'processing'
                      then format('Attempt %s stalled: no report before its lease expired', run.attempt)
                      else run.error end
   where r.id = run.id;
  -- Read again: the queue was renumbered after the update.
  select * into run from public.agent_runs r where r.id = retry_agent_run.id;
  return run;
end;
$$;

-- What clients call (POST /rest/v1/rpc/cancel_agent_run, /retry_agent_run): security invoker,
-- so the exposed functions run with the caller's rights; the checks are the private ones'.
create or replace function public.cancel_agent_run(id uuid) returns public.agent_runs
language sql volatile security invoker set search_path = ''
as $$ select * from private.cancel_agent_run(cancel_agent_run.id) $$;

create or replace function public.retry_agent_run(id uuid) returns public.agent_runs
language sql volatile security invoker set search_path = ''
as $$ select * from private.retry_agent_run(retry_agent_run.id) $$;

-- Re-queues every stalled run as its next attempt, or fails it once it has had `max_attempts`.
-- For a scheduler (pg_cron on Supabase: agent_lease_sweeper); returns how many it touched.
create or replace function private.requeue_stalled_agent_runs(max_attempts integer default 3) returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
  run public.agent_runs;
  touched integer := 0;
begin
  for run in
    select * from public.agent_runs r
     where r.status = 'processing' and r.lease_expires_at < now()
     order by r.lease_expires_at
     limit 1000
     for update skip locked
  loop
    if run.attempt < max_attempts then
      update public.agent_runs r
         set status = 'queued', attempt = run.attempt + 1, estimated_time = null,
             error = format('Attempt %s stalled: no report before its lease expired', run.attempt)
       where r.id = run.id;
    else
      update public.agent_runs r
         set status = 'error', estimated_time = null,
             error = format('Stalled %s times: no report before its lease expired', run.attempt)
       where r.id = run.id;
    end if;
    touched := touched + 1;
  end loop;
  return touched;
end;
$$;

-- The runs as clients read them: `stalled` and the server's clock (`read_at`) computed on read,
-- so a client can tell how much of a lease is left without trusting its own clock.
-- Security invoker: the caller's RLS on agent_runs applies.
create view public.agent_run_states with (security_invoker = true) as
  select r.id, r.organization_id, r.agent_id, r.status, r.progress, r.current_task, r.estimated_time,
         r.queue_position, r.attempt, r.error, r.result, r.seq, r.publisher_id, r.requested_by, r.priority,
         r.lease_expires_at, r.created_at, r.started_at, r.updated_at,
         private.is_stalled(r) as stalled,
         now() as read_at
    from public.agent_runs r;
grant select on public.agent_run_states to authenticated;
revoke all on public.agent_run_states from anon;

revoke execute on function
  private.lock_agent_queue(uuid, text), private.refresh_agent_queue(uuid, text),
  private.can_control_agent_run(public.agent_runs), private.agent_run_for_control(uuid, text),
  private.is_stalled(public.agent_runs), private.requeue_stalled_agent_runs(integer),
  public.claim_next_work(uuid, text, integer), public.cancel_agent_run(uuid), public.retry_agent_run(uuid),
  private.cancel_agent_run(uuid), private.retry_agent_run(uuid)
  from public, anon;
grant execute on function
  private.lock_agent_queue(uuid, text), private.can_control_agent_run(public.agent_runs), private.agent_run_for_control(uuid, text),
  private.is_stalled(public.agent_runs),
  public.claim_next_work(uuid, text, integer), public.cancel_agent_run(uuid), public.retry_agent_run(uuid),
  private.cancel_agent_run(uuid), private.retry_agent_run(uuid)
  to authenticated, service_role;
grant execute on function private.refresh_agent_queue(uuid, text), private.requeue_stalled_agent_runs(integer)
  to service_role;
revoke execute on function private.agent_runs_lifecycle() from public, anon, authenticated;
