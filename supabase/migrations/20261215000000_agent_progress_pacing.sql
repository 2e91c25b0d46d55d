-- Agent progress, paced where it is born (docs/capacity.md "Agent progress"): a run's agent_status
-- goes out at once for every change of state (status, queue position, attempt, error, result,
-- priority, lease), and for progress alone (progress, current_task, estimated_time) at most once
-- per pacing interval, one second unless `pubdev.agent_progress_interval_ms` says otherwise.
-- private.agent_run_broadcasts remembers each run's last broadcast (its seq and when).
--
-- RATIONALE: Realtime counts every delivery against the project's messages/s quota and drops
-- database broadcasts over it without a word (§8.3). One agent_status on org:<org> costs one
-- message plus one per member online, and the Python SDK reports up to four times a second: three
-- agents and twenty people were 250 messages/s, two and a half times a Free project's quota.
-- Nobody reads a progress bar four times a second; a state change, though, must never wait.
--
-- RATIONALE (the last value always arrives): nothing in the database runs without a write (pg_cron
-- runs once a minute at best, and not on every project), so a progress value held back here is
-- sent by whichever comes first:
--   - the run's next write once the interval has passed: any write, even one that changes nothing
--     (the SDK reports every 0.25 s while it works, and renews its lease while it is quiet);
--   - the next change of state, which carries the progress;
--   - every client's periodic catch-up (2.5 s by default), which reads the row itself.
-- Each agent_status carries `previousSeq`, the seq of the run's previous broadcast: a client whose
-- last seen seq is at least that has missed nothing that was sent (a held value is not a loss),
-- and one below it has lost a broadcast to Realtime and says so ("updates delayed").
-- supersedes: function private.agent_runs_broadcast

create table private.agent_run_broadcasts (
  run_id uuid primary key references public.agent_runs (id) on delete cascade,
  -- The seq of the run's last agent_status, and when it was sent (wall clock, not the
  -- transaction's start: pacing is about real time between writes).
  seq bigint not null check (seq >= 0),
  sent_at timestamptz not null
);
revoke all on private.agent_run_broadcasts from public, anon, authenticated;

-- The least time between two progress-only broadcasts of one run: `pubdev.agent_progress_interval_ms`
-- (0 to 60000; 0 sends every change) or one second. One second keeps a progress bar moving
-- smoothly for a person and costs a twentieth of what four reports a second did.
create or replace function private.agent_progress_interval() returns interval
language sql stable set search_path = ''
as $$
  select make_interval(secs => least(60000, case
    when current_setting('pubdev.agent_progress_interval_ms', true) ~ '^\s*\d{1,9}\s*$'
      then btrim(current_setting('pubdev.agent_progress_interval_ms', true))::integer
    else 1000
  end) / 1000.0)
$$;

create or replace function private.agent_runs_broadcast() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  last private.agent_run_broadcasts;
begin
  select * into last from private.agent_run_broadcasts b where b.run_id = new.id;
  if tg_op = 'UPDATE' and (new.status, new.queue_position, new.attempt, new.error, new.result, new.priority,
                           new.lease_expires_at)
                          is not distinct from
                          (old.status, old.queue_position, old.attempt, old.error, old.result, old.priority,
                           old.lease_expires_at) then
    -- Progress alone, or nothing at all: sent only when something is still unsent (this write's
    -- change, or one held back before) and the run's last broadcast is at least an interval old.
    if new.seq = old.seq and (last.seq is null or last.seq >= new.seq) then
      return null;
    end if;
    if last.seq is not null and clock_timestamp() - last.sent_at < private.agent_progress_interval() then
      return null;
    end if;
  end if;
  perform realtime.send(
    jsonb_build_object(
      'id', new.id::text || ':' || new.seq::text,
      'type', 'agent_status',
      'seq', new.seq,
      'previousSeq', last.seq,
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
  insert into private.agent_run_broadcasts as b (run_id, seq, sent_at)
  values (new.id, new.seq, clock_timestamp())
  on conflict (run_id) do update set seq = excluded.seq, sent_at = excluded.sent_at;
  return null;
end;
$$;

revoke execute on function private.agent_progress_interval() from public;
grant execute on function private.agent_progress_interval() to anon, authenticated, service_role;
revoke execute on function private.agent_runs_broadcast() from public, anon, authenticated;
