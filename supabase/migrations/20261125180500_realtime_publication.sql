-- Offer Postgres Changes on the live tables (§5). Broadcast triggers carry the fan-out; these are
-- for low-fan-out views such as an admin's table (docs/architecture.md "Pitfalls the design answers", item 8).
alter publication supabase_realtime
  add table public.agent_runs, public.publishers, public.notifications, public.team_updates;
