-- The activity stream (docs/data-model.md "Activity stream"): public.team_updates is the feed of
-- every team action. People post into it; database triggers (activity_triggers) add one item per
-- record field saved, ownership transfer, publisher move, member territory change and agent run
-- that completes or fails, in the transaction of the change. This file holds what the feed needs
-- beyond the table: two more kinds of item, the subject publisher of an item (whose visibility an
-- item follows, like publisher_changes does), the keyset index and the page function, and the
-- helpers the triggers use to write readable messages.
--
-- RATIONALE: the feed stays one table (and one message type, team_update) rather than a second
-- stream beside team updates: a posted update and a saved field are read, paged, filtered by
-- territory and delivered live the same way, and older clients keep working.

-- ── Kinds of item: the seed's three, `agent_run` (a run completed or failed) and `note` (posted
-- from the dashboard's composer). ──
alter table public.team_updates drop constraint team_updates_update_type_check;
alter table public.team_updates add constraint team_updates_update_type_check
  check (update_type in ('assignment', 'territory_change', 'publisher_update', 'agent_run', 'note'));

-- ── The subject publisher: an item about a publisher is readable only while the publisher is
-- (the restrictive policy below), so an item of an unassigned publisher — territory null, which
-- alone would mean org-wide — never reaches a member limited to some territories, and a record
-- that leaves a member's territories takes its activity with it, as its history. ──
alter table public.team_updates
  add column publisher_id uuid references public.publishers (id) on delete cascade;
create index team_updates_publisher_id_idx on public.team_updates (publisher_id);

-- Keyset pagination, newest first: `(created_at, id) < (cursor)` ordered by both, per organisation.
create index team_updates_organization_id_created_at_id_idx
  on public.team_updates (organization_id, created_at desc, id desc);

-- RATIONALE: restrictive, so it narrows the existing permissive read policy (territory rules)
-- instead of widening it; `exists` runs under the caller's RLS on publishers.
create policy "items about a publisher follow the publisher's visibility" on public.team_updates
  as restrictive for select to authenticated
  using (publisher_id is null or exists (select 1 from public.publishers p where p.id = team_updates.publisher_id));
-- A person may name a subject publisher only one they can see, of the same organisation.
create policy "people name only publishers they can see as the subject" on public.team_updates
  as restrictive for insert to authenticated
  with check (publisher_id is null or private.can_see_publisher(organization_id, publisher_id));

-- One page of the caller's feed (RLS decides which items), newest first: the items strictly older
-- than (before_created_at, before_id), or the newest ones when no cursor is given.
-- `supabase.rpc('activity_page', { organization_id, before_created_at, before_id, page_size })`.
-- RATIONALE: a function rather than a PostgREST filter because the row comparison
-- `(created_at, id) < (…)` is what lets the keyset index start at the cursor; the equivalent
-- `or=(created_at.lt.…,and(created_at.eq.…,id.lt.…))` makes PostgreSQL walk every newer row.
create or replace function public.activity_page(
  organization_id uuid,
  before_created_at timestamptz default null,
  before_id uuid default null,
  page_size integer default 50
) returns setof public.team_updates
language plpgsql stable security invoker set search_path = ''
as $$
declare
  size constant integer := least(greatest(coalesce(activity_page.page_size, 50), 1), 200);
begin
  if activity_page.organization_id is null then
    raise exception 'organization_id is required' using errcode = '22023';
  end if;
  if (activity_page.before_created_at is null) <> (activity_page.before_id is null) then
    raise exception 'before_created_at and before_id go together (the cursor is the last item of the previous page)'
      using errcode = '22023';
  end if;
  if activity_page.before_created_at is null then
    return query
      select t.* from public.team_updates t
       where t.organization_id = activity_page.organization_id
       order by t.created_at desc, t.id desc
       limit size;
  else
    return query
      select t.* from public.team_updates t
       where t.organization_id = activity_page.organization_id
         and (t.created_at, t.id) < (activity_page.before_created_at, activity_page.before_id)
       order by t.created_at desc, t.id desc
       limit size;
  end if;
end;
$$;

revoke execute on function public.activity_page(uuid, timestamptz, uuid, integer) from public, anon;
grant execute on function public.activity_page(uuid, timestamptz, uuid, integer) to authenticated, service_role;

-- ── Helpers for the activity triggers' messages ──

-- What a person is called in the feed: their profile's display name; 'Someone' for nobody (a
-- service-role change that named no user) or a deleted account.
create or replace function private.display_name(person uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select coalesce((select p.display_name from public.profiles p where p.user_id = person), 'Someone')
$$;

-- A field value as the feed shows it: strings as they are, null as "none", anything else as
-- compact JSON; at most 200 characters so that a message stays far below the 2000 allowed.
create or replace function private.activity_value(value jsonb) returns text
language sql immutable set search_path = ''
as $$
  select case
    when value is null or jsonb_typeof(value) = 'null' then 'none'
    when jsonb_typeof(value) = 'string' then left(value #>> '{}', 200)
    else left(value::text, 200)
  end
$$;

-- A member's territories as the feed shows them: empty means every territory.
create or replace function private.activity_territories(territories text[]) returns text
language sql immutable set search_path = ''
as $$
  select case when cardinality(territories) = 0 then 'all territories' else array_to_string(territories, ', ') end
$$;

revoke execute on function
  private.display_name(uuid), private.activity_value(jsonb), private.activity_territories(text[])
  from public, anon, authenticated;
