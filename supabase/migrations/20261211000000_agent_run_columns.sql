-- What an agent run needs beyond its progress (docs/data-model.md "agent_runs"): the publisher it
-- works on (its visibility follows the publisher), who asked for it, its place in a work queue
-- (priority, then creation order), its lease, its input and a bounded result summary, the state
-- `cancelled`, and public.agent_run_attempts, the history of every attempt a run has made.
-- The rules that move these columns live in agent_run_lifecycle; who may read and write them in
-- agent_run_visibility.

-- A result summary is what a notification and the dashboard show of a result: an object of at
-- most 20 entries, each key 1–64 characters, each value a string of at most 500 characters, a
-- number, a boolean or null (src/contract message-schemas.ts resultSummarySchema says the same).
create or replace function private.is_result_summary(summary jsonb) returns boolean
language sql immutable set search_path = ''
as $$
  select summary is null or (
    jsonb_typeof(summary) = 'object'
    and (select count(*) from jsonb_object_keys(summary)) <= 20
    and not exists (
      select 1 from jsonb_each(summary) e
       where char_length(e.key) not between 1 and 64
          or jsonb_typeof(e.value) not in ('string', 'number', 'boolean', 'null')
          or (jsonb_typeof(e.value) = 'string' and char_length(e.value #>> '{}') > 500)
    )
  )
$$;

alter table public.agent_runs drop constraint agent_runs_status_check;
alter table public.agent_runs add constraint agent_runs_status_check
  check (status in ('idle', 'queued', 'processing', 'completed', 'error', 'cancelled'));

alter table public.agent_runs
  -- The publisher the run works on; null is organisation-wide work. A run goes with its publisher.
  add column publisher_id uuid references public.publishers (id) on delete cascade,
  -- Who asked for the work: told when it completes or fails, and may cancel or retry it.
  add column requested_by uuid references auth.users (id) on delete set null,
  -- Queue order: higher priority first, then creation order (created_at, id).
  add column priority integer not null default 0 check (priority between -1000 and 1000),
  -- A processing run's lease: every report renews it; a run whose lease expired is "stalled".
  add column lease_seconds integer not null default 60 check (lease_seconds between 1 and 3600),
  add column lease_expires_at timestamptz,
  -- The account that claimed (or started) the current attempt.
  add column claimed_by uuid references auth.users (id) on delete set null,
  -- What the work is about, for the agent that claims it.
  add column input jsonb not null default '{}' check (jsonb_typeof(input) = 'object' and octet_length(input::text) <= 16384);

-- `not valid`: rows written before these rules keep whatever they hold; every new write is checked.
alter table public.agent_runs add constraint agent_runs_result_is_summary
  check (private.is_result_summary(result)) not valid;
alter table public.agent_runs add constraint agent_runs_error_length
  check (char_length(error) <= 2000) not valid;
alter table public.agent_runs add constraint agent_runs_current_task_length
  check (char_length(current_task) <= 500) not valid;
alter table public.agent_runs add constraint agent_runs_queue_position_from_one
  check (queue_position >= 1) not valid;

-- The next item of a queue (claim_next_work) and the positions of its head, in queue order.
create index agent_runs_queue_idx on public.agent_runs (organization_id, agent_id, priority desc, created_at, id)
  where status = 'queued';
-- The runs that hold a position (at most the head of each queue), to clear positions that moved off it.
create index agent_runs_queue_positions_idx on public.agent_runs (organization_id, agent_id)
  where queue_position is not null;
create index agent_runs_publisher_id_idx on public.agent_runs (publisher_id);
create index agent_runs_requested_by_idx on public.agent_runs (requested_by);
create index agent_runs_claimed_by_idx on public.agent_runs (claimed_by);
-- Stalled runs (the sweeper and the "running" counts look for expired leases).
create index agent_runs_lease_expires_at_idx on public.agent_runs (lease_expires_at)
  where status = 'processing';

-- One row per finished attempt of a run, written by the lifecycle trigger only: how it ended
-- (completed, error, cancelled, or stalled: its lease expired and the run went back to the
-- queue), with the error, who worked it and when.
create table public.agent_run_attempts (
  run_id uuid not null references public.agent_runs (id) on delete cascade,
  attempt integer not null check (attempt >= 1),
  outcome text not null check (outcome in ('completed', 'error', 'cancelled', 'stalled')),
  error text,
  claimed_by uuid references auth.users (id) on delete set null,
  started_at timestamptz,
  ended_at timestamptz not null default now(),
  primary key (run_id, attempt)
);
create index agent_run_attempts_claimed_by_idx on public.agent_run_attempts (claimed_by);

revoke execute on function private.is_result_summary(jsonb) from public;
grant execute on function private.is_result_summary(jsonb) to anon, authenticated, service_role;
