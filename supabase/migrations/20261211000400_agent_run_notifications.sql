-- Notifications when an agent run ends (docs/data-model.md "Run lifecycle"): a completed run tells
-- who asked for it, with its result summary and a link to what it concerns; a failed one tells
-- the same people why; a run cancelled by someone else tells its requester. Who is told follows
-- the run's visibility, so nobody learns of a run about a publisher they may not see:
--   organisation-wide work (no publisher)  → the organisation (one org-wide notification);
--   work about a publisher                 → the person who requested it, else the publisher's
--                                            owner (never an agent account).
-- The link (action_url) is the publisher's page, or the run on the dashboard (`/#run-<id>`).
-- Before this migration agent_runs_broadcast told the whole organisation of every failure.

-- "key: value, key: value" of a result summary, keys in alphabetical order, at most `max_length` characters.
create or replace function private.format_result_summary(summary jsonb, max_length integer) returns text
language sql immutable set search_path = ''
as $$
  select left(string_agg(e.key || ': ' || coalesce(e.value #>> '{}', 'null'), ', ' order by e.key), max_length)
    from jsonb_each(case when jsonb_typeof(summary) = 'object' then summary else '{}'::jsonb end) as e (key, value)
$$;

-- The person a run about a publisher reports to: its requester when a person, else the
-- publisher's owner; null when neither.
create or replace function private.agent_run_recipient(run public.agent_runs) returns uuid
language sql stable security definer set search_path = ''
as $$
  select coalesce(
    (select m.user_id from public.organization_members m
      where m.organization_id = run.organization_id and m.user_id = run.requested_by
        and m.role in ('owner', 'admin', 'member')),
    (select p.owner_id from public.publishers p
      join public.organization_members m on m.organization_id = p.organization_id and m.user_id = p.owner_id
     where p.id = run.publisher_id)
  )
$$;

create or replace function private.agent_runs_notify() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  task constant text := coalesce(nullif(new.current_task, ''), 'its run');
  link constant text := case
    when new.publisher_id is not null then '/publishers/' || new.publisher_id::text
    else '/#run-' || new.id::text
  end;
  recipient uuid;
  message text;
  level text;
begin
  if tg_op = 'UPDATE' and new.status is not distinct from old.status then
    return null;
  end if;
  if new.status = 'completed' then
    level := 'success';
    message := format('Agent %s completed %s', new.agent_id, task)
      || coalesce(': ' || private.format_result_summary(new.result, 1500), '');
  elsif new.status = 'error' then
    level := 'error';
    message := format('Agent %s failed: %s', new.agent_id, coalesce(nullif(new.error, ''), 'unknown error'));
  elsif new.status = 'cancelled' then
    -- Only the requester, and only when someone else cancelled: the canceller knows.
    if new.requested_by is null or new.requested_by = (select auth.uid())
       or private.agent_run_recipient(new) is distinct from new.requested_by then
      return null;
    end if;
    insert into public.notifications (organization_id, user_id, level, message, action_url, persistent, source)
    values (new.organization_id, new.requested_by, 'warning',
            left(format('Agent %s: %s was cancelled', new.agent_id, task), 2000), link, false, 'agent');
    return null;
  else
    return null;
  end if;

  if new.publisher_id is null then
    recipient := null; -- org-wide
  else
    recipient := private.agent_run_recipient(new);
    if recipient is null then
      return null;
    end if;
  end if;
  insert into public.notifications (organization_id, user_id, level, message, action_url, persistent, source)
  values (new.organization_id, recipient, level, left(message, 2000), link, level = 'error', 'agent');
  return null;
end;
$$;

create trigger agent_runs_notify
  after insert or update on public.agent_runs
  for each row execute function private.agent_runs_notify();

revoke execute on function private.format_result_summary(jsonb, integer), private.agent_run_recipient(public.agent_runs)
  from public;
grant execute on function private.format_result_summary(jsonb, integer), private.agent_run_recipient(public.agent_runs)
  to authenticated, service_role;
revoke execute on function private.agent_runs_notify() from public, anon, authenticated;
