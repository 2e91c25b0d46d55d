-- Covering indexes for the two foreign keys Supabase's Performance Advisor reports as unindexed
-- (lint 0001 unindexed_foreign_keys). Deleting a user from auth.users sets these columns to null
-- (on delete set null); without an index each such delete scans the whole table.
create index if not exists team_updates_user_id_idx on public.team_updates (user_id);
create index if not exists publishers_updated_by_idx on public.publishers (updated_by);
