-- Helpers for table RLS and realtime.messages policies, in `private`: a schema PostgREST does not
-- expose, so clients cannot call them as RPCs. They are `security definer` so that a policy on
-- organization_members can ask about organization_members without recursing into its own RLS,
-- and `set search_path = ''` so a caller's search_path cannot redirect what they read.
-- None of them raises on odd input: a raising policy refuses, but logs RlsPolicyError
-- (docs/realtime-protocol.md §6.2).

create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to anon, authenticated, service_role;

-- The caller's role in `org`, or null when the caller is not a member.
create or replace function private.member_role(org uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select m.role from public.organization_members m
   where m.organization_id = org and m.user_id = (select auth.uid())
$$;

create or replace function private.is_member(org uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.organization_members m
     where m.organization_id = org and m.user_id = (select auth.uid())
  )
$$;

create or replace function private.is_org_admin(org uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(private.member_role(org) in ('owner', 'admin'), false)
$$;

-- People edit records and post team updates; agent accounts only read and write agent_runs.
create or replace function private.is_human_member(org uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(private.member_role(org) in ('owner', 'admin', 'member'), false)
$$;

create or replace function private.can_write_agent_runs(org uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(private.member_role(org) in ('owner', 'admin', 'agent'), false)
$$;

-- Whether the caller may create, change or remove a membership whose role is `target_role`
-- (the organization_members policies ask it of the row before a change and of the row after it):
-- owners manage every role, admins only members and agent accounts, so an admin can neither
-- hand out owner or admin nor touch an owner's or another admin's membership.
create or replace function private.can_manage_role(org uuid, target_role text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(
    case private.member_role(org)
      when 'owner' then true
      when 'admin' then target_role in ('member', 'agent')
      else false
    end,
    false
  )
$$;

-- Owners and admins see every territory; other members see all when their list is empty, else
-- only the listed ones. A null territory (an unassigned publisher) is visible to unrestricted members only.
create or replace function private.member_can_see_territory(org uuid, territory text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.organization_members m
     where m.organization_id = org and m.user_id = (select auth.uid())
       and (m.role in ('owner', 'admin') or cardinality(m.territories) = 0 or territory = any (m.territories))
  )
$$;

-- The publisher must exist in `org` (a topic naming another org's publisher is refused).
create or replace function private.can_see_publisher(org uuid, publisher uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.publishers p
     where p.id = publisher and p.organization_id = org
       and private.member_can_see_territory(org, p.territory)
  )
$$;

-- ISO-8601 UTC with milliseconds, the form JavaScript's Date#toISOString prints.
create or replace function private.iso_timestamp(ts timestamptz) returns text
language sql stable set search_path = ''
as $$ select to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

revoke execute on all functions in schema private from public;
grant execute on all functions in schema private to anon, authenticated, service_role;
