-- Publisher history (public.publisher_changes): one row per changed field per version, written by
-- a trigger, readable by whoever may read the publisher now. Clients backfill a record from it
-- after a (re)subscribe ("every change since the version I have") and save_publisher reads it to
-- tell which fields someone else changed since a base version. See docs/data-model.md.
--
-- RATIONALE: its own trigger, not a step of private.publishers_broadcast. Broadcasting decides
-- who hears about a change; history is what happened, and must be written whatever the broadcast
-- does. Both read the same old/new row, so they agree.

create table public.publisher_changes (
  id bigint generated always as identity primary key,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  -- History goes with its record: once the publisher is deleted nobody may read it anyway.
  publisher_id uuid not null references public.publishers (id) on delete cascade,
  -- The publisher's version after the change (private.publishers_before_write bumps it by one
  -- per effective update), so all fields of one update share a version.
  version integer not null check (version >= 1),
  field text not null check (field in ('name', 'status', 'territory', 'owner_id', 'custom_fields')),
  -- JSON null when the column was null; SQL null only for old_value of version 1 (the insert).
  old_value jsonb,
  new_value jsonb not null,
  -- publishers.updated_by of the new row: the user, or whom the service role named, or nobody.
  changed_by uuid references auth.users (id) on delete set null,
  changed_at timestamptz not null,
  -- Also the backfill index: `where publisher_id = $1 and version > $2 order by version`.
  unique (publisher_id, version, field)
);
-- Organisation-wide backfill after a reconnect: `where organization_id = $1 and changed_at > $2`.
create index publisher_changes_organization_id_changed_at_idx
  on public.publisher_changes (organization_id, changed_at);
-- Foreign keys are indexed (a user deletion must not scan the history).
create index publisher_changes_changed_by_idx on public.publisher_changes (changed_by);

alter table public.publisher_changes enable row level security;

-- Readable exactly when the publisher is readable now: the subquery runs under the caller's RLS
-- on publishers, so any change to who may read a publisher applies to its history too.
create policy "members read the history of publishers they can see" on public.publisher_changes
  for select to authenticated
  using (exists (select 1 from public.publishers p where p.id = publisher_changes.publisher_id));

-- Only the trigger writes history; clients read it.
revoke all on public.publisher_changes from anon, authenticated;
grant select on public.publisher_changes to authenticated;

-- One row per field whose value differs between old and new. An insert records every field
-- (old_value SQL null) so the history of a new record is complete from version 1; an update that
-- changes nothing (same version) records nothing.
create or replace function private.publishers_record_changes() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.version = old.version then
    return null;
  end if;
  insert into public.publisher_changes
    (organization_id, publisher_id, version, field, old_value, new_value, changed_by, changed_at)
  select new.organization_id, new.id, new.version, f.field, f.old_value,
         coalesce(f.new_value, 'null'::jsonb), new.updated_by, new.updated_at
    from (values
      (1, 'name', to_jsonb(old.name), to_jsonb(new.name)),
      (2, 'status', to_jsonb(old.status), to_jsonb(new.status)),
      (3, 'territory', to_jsonb(old.territory), to_jsonb(new.territory)),
      (4, 'owner_id', to_jsonb(old.owner_id), to_jsonb(new.owner_id)),
      (5, 'custom_fields', old.custom_fields, new.custom_fields)
    ) as f (ord, field, old_value, new_value)
   where tg_op = 'INSERT'
      or f.old_value is distinct from f.new_value
   order by f.ord;
  return null;
end;
$$;

-- In an INSERT trigger `old` is null, so every old_value above is SQL null.
create trigger publishers_record_changes
  after insert or update on public.publishers
  for each row execute function private.publishers_record_changes();

revoke execute on function private.publishers_record_changes() from public, anon, authenticated;
