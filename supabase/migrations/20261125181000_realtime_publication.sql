-- Which tables offer Postgres Changes (the `supabase_realtime` publication, which Supabase creates
-- empty), and for which operations. Broadcast triggers carry the fan-out; Postgres Changes is for
-- low-fan-out views such as the dashboard's run table (docs/architecture.md "Pitfalls the design
-- answers", item 8). docs/security.md "Postgres Changes" has the table-by-table reasons.
--
-- RATIONALE: RLS filters INSERT and UPDATE events per subscriber, but a DELETE event goes to every
-- subscriber of the table with the old row's primary key and no RLS check (as on Supabase), so a
-- published DELETE would tell every signed-in client of every organisation which ids (publisher
-- ids are topic names) were deleted, and when. The publication's `publish` parameter decides which
-- operations Realtime decodes at all (its realtime.list_changes passes pubinsert/pubupdate/
-- pubdelete to wal2json as `actions`; the dashboard's Insert/Update/Delete toggles for
-- supabase_realtime set exactly this), so without 'delete' no DELETE event exists to leak. A
-- deleted publisher leaves a client's list through the client's re-read (on every (re)subscribe),
-- not through an event. The parameter is publication-wide: agent_runs has no DELETE events either,
-- and loses nothing (no delete policy; runs go only with their organisation).
--
--   agent_runs     the dashboard's run table.
--   publishers     usePublishers keeps its list current from these; RLS decides per subscriber.
--   notifications, team_updates: not published. The database broadcasts them to scoped topics
--                  (user:<id>, org and territory topics) and no view needs a change stream.
--   publisher_changes, notification_reads, organizations, organization_members: not published;
--                  clients query them when they (re)subscribe.

alter publication supabase_realtime add table public.agent_runs, public.publishers;
alter publication supabase_realtime set (publish = 'insert, update');
