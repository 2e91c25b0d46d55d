-- On a database with pg_cron (Supabase: enable it under Database → Extensions), a job re-queues
-- stalled agent runs every minute (private.requeue_stalled_agent_runs: the next attempt, or
-- `error` after three). Without pg_cron (the local stack's PGlite, a plain PostgreSQL) this
-- migration does nothing: a stalled run is then computed on read (agent_run_states.stalled, the
-- client's lease clock), shown "stalled", left out of running counts, and re-queued by a person
-- (retry_agent_run) or by calling the function from any scheduler. docs/data-model.md "Leases".
-- Enabling pg_cron after this migration ran: run the `cron.schedule` call below once by hand.

do $$
begin
  if exists (select 1 from pg_extension where extname = 'pg_cron') then
    perform cron.schedule(
      'pubdev-requeue-stalled-agent-runs',
      '* * * * *',
      'select private.requeue_stalled_agent_runs()'
    );
  end if;
end;
$$;
