-- Who may read and write agent runs now that a run may name a publisher (docs/security.md "Agent
-- runs"): a run about a publisher is visible exactly to those who may see that publisher (its
-- territory decides); a run about no publisher is organisation-wide work, visible to every member.
-- Agent accounts, owners and admins write runs they can see; people (owner, admin, member)
-- request work as themselves; the attempt history reads like its run.
-- supersedes: policy "members read agent runs" on public.agent_runs
-- supersedes: policy "agents start runs" on public.agent_runs
-- supersedes: policy "agents update runs" on public.agent_runs

-- Whether the caller may see a run of `org` about `publisher` (null: organisation-wide work).
create or replace function private.can_see_agent_run(org uuid, publisher uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.is_member(org) and (publisher is null or private.can_see_publisher(org, publisher))
$$;

drop policy "members read agent runs" on public.agent_runs;
create policy "members read agent runs" on public.agent_runs
  for select to authenticated using (private.can_see_agent_run(organization_id, publisher_id));

-- Agent accounts, owners and admins start runs in any state; people (owner, admin, member)
-- request work: a queued run, requested by themselves, about a publisher they may see (or
-- organisation-wide). One policy, so that Postgres evaluates one expression per inserted row.
-- Cancelling and retrying go through cancel_agent_run and retry_agent_run, which check who may.
drop policy "agents start runs" on public.agent_runs;
create policy "agents start runs" on public.agent_runs
  for insert to authenticated
  with check (
    private.can_see_agent_run(organization_id, publisher_id)
    and (
      private.can_write_agent_runs(organization_id)
      or (private.is_human_member(organization_id) and status = 'queued' and requested_by = (select auth.uid()))
    )
  );

drop policy "agents update runs" on public.agent_runs;
create policy "agents update runs" on public.agent_runs
  for update to authenticated
  using (private.can_write_agent_runs(organization_id) and private.can_see_agent_run(organization_id, publisher_id))
  with check (private.can_write_agent_runs(organization_id) and private.can_see_agent_run(organization_id, publisher_id));

alter table public.agent_run_attempts enable row level security;
create policy "members read the attempts of runs they may see" on public.agent_run_attempts
  for select to authenticated
  using (exists (select 1 from public.agent_runs r where r.id = agent_run_attempts.run_id));
revoke insert, update, delete on public.agent_run_attempts from anon, authenticated;

revoke execute on function private.can_see_agent_run(uuid, uuid) from public;
grant execute on function private.can_see_agent_run(uuid, uuid) to anon, authenticated, service_role;
