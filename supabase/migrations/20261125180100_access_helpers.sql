-- Helpers for table RLS and realtime.messages policies, in `private`: a schema PostgREST does not
-- expose, so clients cannot call them as RPCs. They are `security definer` so that a policy on
-- organization_members can ask about organization_members without recursing into its own RLS,
-- and `set search_path = ''` so a caller's search_path cannot redirect what they read.
-- None of them raises on odd input: a raising policy refuses, but logs RlsPolicyError (§6.2).

create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to anon, authenticated, service_role;

-- The caller's role in `org`, or null when the caller is not a member.
create function private.member_role(org uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select m.role from public.organization_members m
   where m.organization_id = org and m.user_id = (select auth.uid())
$$;

create function private.is_member(org uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.organization_members m
     where m.organization_id = org and m.user_id = (select auth.uid())
  )
$$;

create function private.is_org_admin(org uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(private.member_role(org) in ('owner', 'admin'), false)
$$;

-- People edit records and post team updates; agent accounts only read and write agent_runs.
create function private.is_human_member(org uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(private.member_role(org) in ('owner', 'admin', 'member'), false)
$$;

create function private.can_write_agent_runs(org uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(private.member_role(org) in ('owner', 'admin', 'agent'), false)
$$;

-- Owners and admins see every territory; other members see all when their list is empty, else
-- only the listed ones. A null territory (an unassigned publisher) is visible to unrestricted members only.
create function private.member_can_see_territory(org uuid, territory text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.organization_members m
     where m.organization_id = org and m.user_id = (select auth.uid())
       and (m.role in ('owner', 'admin') or cardinality(m.territories) = 0 or territory = any (m.territories))
  )
$$;

-- The publisher must exist in `org` (a topic naming another org's publisher is refused).
create function private.can_see_publisher(org uuid, publisher uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.publishers p
     where p.id = publisher and p.organization_id = org
       and private.member_can_see_territory(org, p.territory)
  )
$$;

-- ── Topic grammar: exactly src/contract/topics.ts (parseTopic). A change there changes this. ──

create type private.topic_ref as (
  kind text,          -- org | activity | territory | publisher | user
  org_id uuid,
  territory text,
  publisher_id uuid,
  user_id uuid
);

-- Null for anything that is not one of our topics. Every uuid is matched by the lowercase
-- regex before the cast, so a malformed topic never raises.
create function private.parse_topic(topic text) returns private.topic_ref
language plpgsql immutable set search_path = ''
as $$
declare
  uuid_re constant text := '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
  parts text[];
begin
  if topic is null then
    return null;
  end if;
  parts := regexp_match(topic, '^user:(' || uuid_re || ')$');
  if parts is not null then
    return row('user', null, null, null, parts[1]::uuid)::private.topic_ref;
  end if;
  parts := regexp_match(topic, '^org:(' || uuid_re || ')$');
  if parts is not null then
    return row('org', parts[1]::uuid, null, null, null)::private.topic_ref;
  end if;
  parts := regexp_match(topic, '^org:(' || uuid_re || '):activity$');
  if parts is not null then
    return row('activity', parts[1]::uuid, null, null, null)::private.topic_ref;
  end if;
  parts := regexp_match(topic, '^org:(' || uuid_re || '):territory:([A-Za-z0-9_-]{1,64})$');
  if parts is not null then
    return row('territory', parts[1]::uuid, parts[2], null, null)::private.topic_ref;
  end if;
  parts := regexp_match(topic, '^org:(' || uuid_re || '):publisher:(' || uuid_re || ')$');
  if parts is not null then
    return row('publisher', parts[1]::uuid, null, parts[2]::uuid, null)::private.topic_ref;
  end if;
  return null;
end;
$$;

create function private.topic_kind(topic text) returns text
language sql immutable set search_path = ''
as $$ select (private.parse_topic(topic)).kind $$;

create function private.topic_org_id(topic text) returns uuid
language sql immutable set search_path = ''
as $$ select (private.parse_topic(topic)).org_id $$;

-- Who may join (read broadcast and presence of) a topic: docs/architecture.md "Topics and who may do what".
create function private.can_read_topic(topic text) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
declare
  t private.topic_ref := private.parse_topic(topic);
begin
  if t is null or (select auth.uid()) is null then
    return false;
  end if;
  return case t.kind
    when 'user' then t.user_id = (select auth.uid())
    when 'org' then private.is_member(t.org_id)
    when 'activity' then private.is_member(t.org_id)
    when 'territory' then private.member_can_see_territory(t.org_id, t.territory)
    when 'publisher' then private.can_see_publisher(t.org_id, t.publisher_id)
    else false
  end;
end;
$$;

-- What clients may send: presence on org and publisher topics, broadcast on activity and
-- publisher topics. Territory and user topics carry only database-originated messages, so a
-- client can never forge a team update or a notification.
create function private.can_write_topic(topic text, extension text) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
declare
  t private.topic_ref := private.parse_topic(topic);
begin
  if t is null or (select auth.uid()) is null then
    return false;
  end if;
  return case
    when t.kind = 'org' and extension = 'presence' then private.is_member(t.org_id)
    when t.kind = 'activity' and extension = 'broadcast' then private.is_member(t.org_id)
    when t.kind = 'publisher' and extension in ('presence', 'broadcast') then private.can_see_publisher(t.org_id, t.publisher_id)
    else false
  end;
end;
$$;

-- ISO-8601 UTC with milliseconds, the form JavaScript's Date#toISOString prints.
create function private.iso_timestamp(ts timestamptz) returns text
language sql stable set search_path = ''
as $$ select to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

revoke execute on all functions in schema private from public;
grant execute on all functions in schema private to anon, authenticated, service_role;
