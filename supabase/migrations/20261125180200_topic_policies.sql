-- Topics and who may do what on them (docs/security.md): the topic grammar, the policy table and
-- the functions the realtime.messages policies ask. This file mirrors the contract, and a change
-- to either side needs the other:
--   src/contract/topic-policy.ts TOPIC_POLICIES  = private.topic_policies, row for row; the
--     decisions of private.can_read_topic, private.can_write_topic and private.is_topic_reader;
--   src/contract/topics.ts parseTopic             = private.parse_topic;
--   src/contract/topics.ts publisherRecordTopic   = private.publisher_record_topic.
-- tests/security/policy-matrix.security.test.ts generates the policy matrix from TOPIC_POLICIES
-- and checks the SQL against it; tests/db/policies.db.test.ts checks parse_topic against parseTopic.
--
-- RATIONALE: a topic is either server-authoritative (clients may not broadcast on it; it carries
-- the database's messages) or collaborative (clients may broadcast; it carries only
-- client-originated types), never both. Realtime's write check sees the topic and the extension,
-- never the event name, so a topic that accepts client broadcasts cannot tell a forged
-- `publisher_update` from the trigger's. The check constraint below makes "both" impossible.
--
-- The publisher topic is split into a read-only record topic and a collaborative one, and both
-- carry the publisher's territory in their name: Realtime authorises at join (and on each new
-- access token), so a record that moves must move to another topic. A record topic whose
-- territory is not the publisher's current one is refused to everyone.
--
-- None of these functions raises on odd input: a raising policy refuses, but logs RlsPolicyError.

-- ── Topic grammar ──

create type private.topic_ref as (
  kind text,          -- org | activity | territory | record | collab | user
  org_id uuid,
  territory text,     -- null for the `unassigned` form of the publisher topics
  publisher_id uuid,
  user_id uuid
);

-- Null for anything that is not one of our topics. Every uuid is matched by the lowercase
-- regex before the cast, so a malformed topic never raises.
create or replace function private.parse_topic(topic text) returns private.topic_ref
language plpgsql immutable set search_path = ''
as $$
declare
  uuid_re constant text := '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
  territory_re constant text := '[A-Za-z0-9_-]{1,64}';
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
  parts := regexp_match(topic, '^org:(' || uuid_re || '):territory:(' || territory_re || ')$');
  if parts is not null then
    return row('territory', parts[1]::uuid, parts[2], null, null)::private.topic_ref;
  end if;
  parts := regexp_match(
    topic,
    '^org:(' || uuid_re || '):(?:territory:(' || territory_re || ')|unassigned):publisher:(' || uuid_re || ')(:collab)?$'
  );
  if parts is not null then
    return row(
      case when parts[4] is null then 'record' else 'collab' end,
      parts[1]::uuid, parts[2], parts[3]::uuid, null
    )::private.topic_ref;
  end if;
  return null;
end;
$$;

create or replace function private.topic_kind(topic text) returns text
language sql immutable set search_path = ''
as $$ select (private.parse_topic(topic)).kind $$;

create or replace function private.topic_org_id(topic text) returns uuid
language sql immutable set search_path = ''
as $$ select (private.parse_topic(topic)).org_id $$;

-- `org:<org>:territory:<territory>:publisher:<id>`, or `org:<org>:unassigned:publisher:<id>`
-- (src/contract/topics.ts publisherRecordTopic).
create or replace function private.publisher_record_topic(org uuid, territory text, publisher uuid) returns text
language sql immutable set search_path = ''
as $$
  select 'org:' || org::text
    || case when territory is null then ':unassigned' else ':territory:' || territory end
    || ':publisher:' || publisher::text
$$;

-- ── Who may do what: private.topic_policies is TOPIC_POLICIES ──

create table private.topic_policies (
  kind text primary key check (kind in ('org', 'activity', 'territory', 'record', 'collab', 'user')),
  authority text not null check (authority in ('server', 'collaborative')),
  -- members: every member (agents too); territory: members allowed the topic's territory;
  -- publisher: members who may read the publisher now, on its current territory's topic only;
  -- self: the user the topic is named after.
  readers text not null check (readers in ('members', 'territory', 'publisher', 'self')),
  -- none: nobody (the database writes through realtime.send); readers: every reader;
  -- people: readers whose role is owner, admin or member (never an agent account).
  presence text not null check (presence in ('none', 'readers', 'people')),
  broadcast text not null check (broadcast in ('none', 'readers', 'people')),
  constraint server_topics_take_no_client_broadcast check (authority = 'collaborative' or broadcast = 'none')
);
revoke all on private.topic_policies from public, anon, authenticated, service_role;

insert into private.topic_policies (kind, authority, readers, presence, broadcast) values
  ('org',       'server',        'members',   'readers', 'none'),
  ('activity',  'collaborative', 'members',   'none',    'people'),
  ('territory', 'server',        'territory', 'none',    'none'),
  ('record',    'server',        'publisher', 'none',    'none'),
  ('collab',    'collaborative', 'publisher', 'people',  'people'),
  ('user',      'server',        'self',      'none',    'none');

-- The publisher exists in `org`, its CURRENT territory is `territory` (both null for an
-- unassigned one), and the caller may read it. A topic naming a territory the record left, or
-- another organisation's publisher, is refused.
create or replace function private.can_see_publisher_at(org uuid, territory text, publisher uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.publishers p
     where p.id = can_see_publisher_at.publisher and p.organization_id = can_see_publisher_at.org
       -- Qualified: in an SQL function a column of the same name would win over the argument.
       and p.territory is not distinct from can_see_publisher_at.territory
       and private.member_can_see_territory(p.organization_id, p.territory)
  )
$$;

-- Whether the caller is one of `readers` (a topic_policies.readers value) of the parsed topic.
create or replace function private.is_topic_reader(t private.topic_ref, readers text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(
    case readers
      when 'members' then private.is_member(t.org_id)
      when 'territory' then private.member_can_see_territory(t.org_id, t.territory)
      when 'publisher' then private.can_see_publisher_at(t.org_id, t.territory, t.publisher_id)
      when 'self' then t.user_id = (select auth.uid())
    end,
    false
  )
$$;

-- Who may join (read broadcast and presence of) a topic: its kind's `readers`.
create or replace function private.can_read_topic(topic text) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
declare
  t private.topic_ref := private.parse_topic(topic);
  policy private.topic_policies;
begin
  if t is null or (select auth.uid()) is null then
    return false;
  end if;
  select * into policy from private.topic_policies p where p.kind = t.kind;
  if not found then
    return false;
  end if;
  return private.is_topic_reader(t, policy.readers);
end;
$$;

-- What a client may send: the kind's `presence` or `broadcast` writers, who are always readers
-- too. `people` leaves out agent accounts: an agent reports through agent_runs, and the database
-- turns that into agent_status, so an agent never needs to broadcast itself.
create or replace function private.can_write_topic(topic text, extension text) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
declare
  t private.topic_ref := private.parse_topic(topic);
  policy private.topic_policies;
  writers text;
begin
  if t is null or (select auth.uid()) is null then
    return false;
  end if;
  select * into policy from private.topic_policies p where p.kind = t.kind;
  if not found then
    return false;
  end if;
  writers := case extension when 'presence' then policy.presence when 'broadcast' then policy.broadcast else 'none' end;
  if writers = 'none' or not private.is_topic_reader(t, policy.readers) then
    return false;
  end if;
  return writers = 'readers' or private.is_human_member(t.org_id);
end;
$$;

revoke execute on function
  private.parse_topic(text), private.topic_kind(text), private.topic_org_id(text),
  private.publisher_record_topic(uuid, text, uuid), private.can_see_publisher_at(uuid, text, uuid),
  private.is_topic_reader(private.topic_ref, text), private.can_read_topic(text), private.can_write_topic(text, text)
  from public;
grant execute on function
  private.parse_topic(text), private.topic_kind(text), private.topic_org_id(text),
  private.publisher_record_topic(uuid, text, uuid), private.can_see_publisher_at(uuid, text, uuid),
  private.is_topic_reader(private.topic_ref, text), private.can_read_topic(text), private.can_write_topic(text, text)
  to anon, authenticated, service_role;
