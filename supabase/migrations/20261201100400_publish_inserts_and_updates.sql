-- Issue 7 and issue 9: publishers offers Postgres Changes again, for INSERT and UPDATE only.
--
-- RATIONALE: RLS filters INSERT and UPDATE events per subscriber, but a DELETE event goes to every
-- subscriber of the table with the old row's primary key and no RLS check (as on Supabase), so a
-- published DELETE would tell every signed-in client of every organisation which publisher ids
-- (topic names) were deleted, and when. The publication's `publish` parameter decides which
-- operations Realtime decodes at all (its realtime.list_changes passes pubinsert/pubupdate/
-- pubdelete to wal2json as `actions`; the dashboard's Insert/Update/Delete toggles for
-- supabase_realtime set exactly this), so without 'delete' no DELETE event exists to leak.
-- A deleted publisher leaves a client's list through the client's re-read (on every
-- (re)subscribe), not through an event.
--
-- The parameter is publication-wide: agent_runs loses its DELETE events too. Nobody deletes runs
-- (no delete policy; rows go only with their organisation), so nothing is lost.
--
-- notifications and team_updates stay out: the database broadcasts them to scoped topics
-- (user:<id>, org and territory topics), and no view needs a postgres_changes stream of them.
--
-- Written to apply cleanly whether or not publishers is already in the publication.
alter publication supabase_realtime set (publish = 'insert, update');

do $$
begin
  if not exists (
    select 1 from pg_catalog.pg_publication_tables
     where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'publishers'
  ) then
    alter publication supabase_realtime add table public.publishers;
  end if;
end;
$$;
