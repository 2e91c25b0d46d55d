-- What each person is doing (user_snapshot), authored by the database: private.member_activity
-- holds one row per person and organisation, public.report_activity writes it and broadcasts it,
-- public.organization_activity reads it back. See docs/security.md "Identity on presence and
-- activity".
--
-- RATIONALE: Realtime's policies see the topic of a broadcast, never its payload, so a
-- user_snapshot a client broadcasts can name anyone as its `userId`. Here the user is
-- `auth.uid()`, never a parameter (only the service role names the person it acts for), and the
-- topics that carry user_snapshot are server-authoritative: no client can broadcast one.
--
-- RATIONALE (territories): "Viewing Harbor House" is a text about a US_East publisher. Activity
-- about a publisher or a territory is scoped like the publisher (the scope comes from the
-- publisher row, not from the client): the full snapshot goes to that territory's topic, and
-- the organisation's topic hears only that the person is busy elsewhere (an empty action, no
-- territory, no publisher). organization_activity blanks what the caller may not see the same way.

create table private.member_activity (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  action text not null default '' check (char_length(action) <= 200),
  status text not null default 'online' check (status in ('online', 'away', 'offline')),
  -- The scope: both null for org-wide activity; for a publisher, its territory when reported.
  territory text check (territory ~ '^[A-Za-z0-9_-]{1,64}$'),
  -- Deleting the publisher deletes the activity about it (it must not become org-wide).
  publisher_id uuid references public.publishers (id) on delete cascade,
  -- Bumped by every report; the envelope id is "<org>:<user>:<seq>".
  seq bigint not null default 1 check (seq >= 1),
  updated_at timestamptz not null default now(),
  -- When the last report was broadcast (reports closer together than the flood guard are stored, not sent).
  broadcast_at timestamptz,
  primary key (organization_id, user_id)
);
create index member_activity_user_id_idx on private.member_activity (user_id);
create index member_activity_publisher_id_idx on private.member_activity (publisher_id);
create index member_activity_organization_id_updated_at_idx on private.member_activity (organization_id, updated_at);
revoke all on private.member_activity from public, anon, authenticated;

-- Whether the caller may see an activity of this scope: org-wide to every member; a publisher's
-- to those who may read the publisher now; a territory's to those allowed the territory.
create or replace function private.can_see_activity(org uuid, territory text, publisher uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select case
    when publisher is not null then private.can_see_publisher(org, publisher)
    when territory is not null then private.member_can_see_territory(org, territory)
    else private.is_member(org)
  end
$$;

-- The user_snapshot message of one activity row; `complete` false gives the org-wide copy of a
-- scoped activity (status only).
create or replace function private.user_snapshot_message(a private.member_activity, complete boolean) returns jsonb
language sql stable set search_path = ''
as $$
  select jsonb_build_object(
    'id', a.organization_id::text || ':' || a.user_id::text || ':' || a.seq::text || case when complete then '' else ':org' end,
    'type', 'user_snapshot',
    'timestamp', private.iso_timestamp(a.updated_at),
    'data', jsonb_build_object(
      'userId', a.user_id,
      'activity', jsonb_strip_nulls(jsonb_build_object(
        'action', case when complete then a.action else '' end,
        'status', a.status,
        'territory', case when complete then a.territory end,
        'publisherId', case when complete then a.publisher_id end
      ))
    )
  )
$$;

-- Reports what the caller is doing in `organization_id` and broadcasts it. `territory` scopes an
-- activity to a territory the caller may see; `publisher_id` to a publisher the caller may read
-- (its territory wins over `territory`). Returns the message. Errors (PostgREST status):
--   42501 (403) not signed in, not a person of the organisation (agent accounts report through
--               agent_runs), another person's user_id, or a scope the caller may not see;
--   22023 (400) an unknown status, an action over 200 characters, a malformed territory.
create or replace function private.report_activity(
  organization_id uuid,
  action text,
  status text default 'online',
  territory text default null,
  publisher_id uuid default null,
  user_id uuid default null
) returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  -- A second report within this interval is stored but not broadcast: honest clients report at
  -- most every 500 ms, so only a flood is thinned (peers read the latest row when they catch up).
  flood_guard constant interval := interval '100 milliseconds';
  person uuid := (select auth.uid());
  org constant uuid := report_activity.organization_id;
  scope_territory text := report_activity.territory;
  target public.publishers;
  saved private.member_activity;
  full_topic text;
begin
  if person is null then
    if (select auth.role()) is distinct from 'service_role' or report_activity.user_id is null then
      raise exception 'report_activity needs a signed-in person' using errcode = '42501';
    end if;
    person := report_activity.user_id;
  elsif report_activity.user_id is not null and report_activity.user_id <> person then
    raise exception 'you may only report your own activity, not that of %', report_activity.user_id
      using errcode = '42501';
  end if;
  if coalesce(private.person_role(org, person), '') not in ('owner', 'admin', 'member') then
    raise exception 'only people of organization % report activity there', org using errcode = '42501';
  end if;
  if report_activity.status is null or report_activity.status not in ('online', 'away', 'offline') then
    raise exception 'status must be online, away or offline, got %', coalesce(report_activity.status, 'null')
      using errcode = '22023';
  end if;
  if char_length(coalesce(report_activity.action, '')) > 200 then
    raise exception 'action must be at most 200 characters' using errcode = '22023';
  end if;
  if report_activity.publisher_id is not null then
    select p.* into target from public.publishers p
     where p.id = report_activity.publisher_id and p.organization_id = org;
    if not found or not private.person_can_see_territory(org, person, target.territory) then
      raise exception 'no publisher % you may see in organization %', report_activity.publisher_id, org
        using errcode = '42501';
    end if;
    scope_territory := target.territory;
  elsif scope_territory is not null then
    if scope_territory !~ '^[A-Za-z0-9_-]{1,64}$' then
      raise exception 'territory must match ^[A-Za-z0-9_-]{1,64}$' using errcode = '22023';
    end if;
    if not private.person_can_see_territory(org, person, scope_territory) then
      raise exception 'you may not report activity in territory %', scope_territory using errcode = '42501';
    end if;
  end if;

  insert into private.member_activity as a (organization_id, user_id, action, status, territory, publisher_id)
  values (org, person, btrim(coalesce(report_activity.action, '')), report_activity.status, scope_territory,
          report_activity.publisher_id)
  on conflict on constraint member_activity_pkey do update
    set action = excluded.action, status = excluded.status, territory = excluded.territory,
        publisher_id = excluded.publisher_id, seq = a.seq + 1, updated_at = now()
  returning a.* into saved;

  if saved.broadcast_at is null or saved.broadcast_at <= now() - flood_guard then
    update private.member_activity a set broadcast_at = now()
     where a.organization_id = saved.organization_id and a.user_id = saved.user_id;
    if saved.publisher_id is null and saved.territory is null then
      perform realtime.send(private.user_snapshot_message(saved, true), 'user_snapshot', 'org:' || org::text, true);
    else
      -- An unassigned publisher has no territory topic: those who may read it get the full
      -- snapshot when they next read organization_activity.
      if saved.territory is not null then
        full_topic := 'org:' || org::text || ':territory:' || saved.territory;
        perform realtime.send(private.user_snapshot_message(saved, true), 'user_snapshot', full_topic, true);
      end if;
      perform realtime.send(private.user_snapshot_message(saved, false), 'user_snapshot', 'org:' || org::text, true);
    end if;
  end if;
  return private.user_snapshot_message(saved, true);
end;
$$;

-- The organisation's activity rows the caller may read, changed at or after `since` (all of them
-- for null): one per person, with action, territory and publisher blanked where the caller may
-- not see their scope. Nothing for a non-member. What a client reads after every (re)join.
create or replace function private.organization_activity(organization_id uuid, since timestamptz default null)
returns table (user_id uuid, action text, status text, territory text, publisher_id uuid, seq bigint, updated_at timestamptz)
language sql stable security definer set search_path = ''
as $$
  select a.user_id,
         case when v.visible then a.action else '' end,
         a.status,
         case when v.visible then a.territory end,
         case when v.visible then a.publisher_id end,
         a.seq,
         a.updated_at
    from private.member_activity a
    cross join lateral (select private.can_see_activity(a.organization_id, a.territory, a.publisher_id) as visible) v
   where a.organization_id = organization_activity.organization_id
     and private.is_member(a.organization_id)
     and (organization_activity.since is null or a.updated_at >= organization_activity.since)
   order by a.updated_at
$$;

revoke execute on function
  private.can_see_activity(uuid, text, uuid), private.user_snapshot_message(private.member_activity, boolean)
  from public, anon, authenticated;
revoke execute on function private.report_activity(uuid, text, text, text, uuid, uuid) from public, anon;
grant execute on function private.report_activity(uuid, text, text, text, uuid, uuid) to authenticated, service_role;
revoke execute on function private.organization_activity(uuid, timestamptz) from public, anon;
grant execute on function private.organization_activity(uuid, timestamptz) to authenticated, service_role;

-- ── The API: security-invoker entries PostgREST serves as /rpc; the definers above do the work ──
-- RATIONALE: a security-definer function in an exposed schema is an Advisor warning (0028/0029):
-- it keeps the definer's rights out of `public`, and the wrapper is all the API can call.

create or replace function public.report_activity(organization_id uuid, action text, status text default 'online', territory text default null, publisher_id uuid default null, user_id uuid default null)
returns jsonb
language sql volatile security invoker set search_path = ''
as $$ select private.report_activity(organization_id, action, status, territory, publisher_id, user_id) $$;

create or replace function public.organization_activity(organization_id uuid, since timestamptz default null)
returns table (user_id uuid, action text, status text, territory text, publisher_id uuid, seq bigint, updated_at timestamptz)
language sql stable security invoker set search_path = ''
as $$ select * from private.organization_activity(organization_id, since) $$;

revoke execute on function
  public.report_activity(uuid, text, text, text, uuid, uuid),
  public.organization_activity(uuid, timestamptz)
  from public, anon;
grant execute on function
  public.report_activity(uuid, text, text, text, uuid, uuid),
  public.organization_activity(uuid, timestamptz)
  to authenticated, service_role;
