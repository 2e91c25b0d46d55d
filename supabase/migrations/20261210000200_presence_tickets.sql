-- Presence tickets: what makes a presence entry's identity checkable (docs/security.md "Identity
-- on presence and activity"). A client asks the database for a ticket naming itself, the topic
-- and what it claims there (`online` on the organisation's topic, `viewing` or `editing:<field>`
-- on a publisher's collaboration topic) and tracks it in its presence meta; observers show a
-- presence entry only when the database confirms its ticket names that entry's key and claim.
--
-- RATIONALE: Realtime authorises presence per topic, never per key or payload, so a member can
-- track any key. A ticket is a random id the database stores with exactly what it vouches for,
-- so it cannot be made up; a member who copies a colleague's ticket from the presence state can
-- only repeat the colleague's own claim on the same topic until the ticket expires (two minutes;
-- clients renew theirs every minute). A membership change deletes the person's tickets in that
-- organisation, so a removed member's tickets stop vouching at once.

create table private.presence_tickets (
  ticket uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  topic text not null check (char_length(topic) <= 255),
  claim text not null check (claim ~ '^(online|viewing|editing:[A-Za-z0-9_.-]{1,100})$'),
  expires_at timestamptz not null
);
create index presence_tickets_user_id_organization_id_idx on private.presence_tickets (user_id, organization_id);
create index presence_tickets_organization_id_idx on private.presence_tickets (organization_id);
revoke all on private.presence_tickets from public, anon, authenticated;

-- A ticket for the caller's presence on `topic` with `claim`: `{ ticket, expiresAt }`. The caller
-- must be allowed to track presence there (private.can_write_topic). Errors (PostgREST status):
--   42501 (403) not signed in, or not allowed presence on that topic;
--   22023 (400) a claim that does not fit the topic (`online` on org:<org>; `viewing` or
--               `editing:<field>` on a collaboration topic).
create or replace function private.issue_presence_ticket(topic text, claim text default 'online') returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  -- Long enough that a client renewing every minute never shows a gap, short enough that a
  -- replayed ticket outlives its person's departure by at most this.
  lifetime constant interval := interval '2 minutes';
  -- Live tickets one person may hold: several tabs and fields, never a pile.
  max_live constant integer := 50;
  person constant uuid := (select auth.uid());
  parsed private.topic_ref := private.parse_topic(issue_presence_ticket.topic);
  issued private.presence_tickets;
begin
  if person is null or parsed is null or not private.can_write_topic(issue_presence_ticket.topic, 'presence') then
    raise exception 'you may not be present on %', coalesce(issue_presence_ticket.topic, 'null') using errcode = '42501';
  end if;
  if not (
    (parsed.kind = 'org' and issue_presence_ticket.claim = 'online')
    or (parsed.kind = 'collab' and issue_presence_ticket.claim ~ '^(viewing|editing:[A-Za-z0-9_.-]{1,100})$')
  ) then
    raise exception 'claim % does not fit topic %', coalesce(issue_presence_ticket.claim, 'null'), issue_presence_ticket.topic
      using errcode = '22023',
            hint = 'online on org:<org>; viewing or editing:<field> on a collaboration topic';
  end if;
  delete from private.presence_tickets t where t.user_id = person and t.expires_at <= now();
  delete from private.presence_tickets t
   where t.ticket in (
     select o.ticket from private.presence_tickets o where o.user_id = person
      order by o.expires_at desc offset max_live - 1
   );
  insert into private.presence_tickets (user_id, organization_id, topic, claim, expires_at)
  values (person, parsed.org_id, issue_presence_ticket.topic, issue_presence_ticket.claim, now() + lifetime)
  returning * into issued;
  return jsonb_build_object('ticket', issued.ticket, 'expiresAt', private.iso_timestamp(issued.expires_at));
end;
$$;

-- Which of `tickets` vouch for a presence on `topic` now: one row per live ticket of that topic,
-- with the person and claim it was issued for and the seconds it has left (relative, so a
-- client's clock does not matter). The caller must be allowed to read the topic.
-- Errors: 42501 (403) a topic the caller may not read; 22023 (400) more than 200 tickets.
create or replace function private.verify_presence_tickets(topic text, tickets uuid[])
returns table (ticket uuid, user_id uuid, claim text, expires_in double precision)
language plpgsql stable security definer set search_path = ''
as $$
begin
  if not private.can_read_topic(verify_presence_tickets.topic) then
    raise exception 'you may not read %', coalesce(verify_presence_tickets.topic, 'null') using errcode = '42501';
  end if;
  if cardinality(verify_presence_tickets.tickets) > 200 then
    raise exception 'at most 200 tickets per call' using errcode = '22023';
  end if;
  return query
    select t.ticket, t.user_id, t.claim, extract(epoch from t.expires_at - now())::double precision
      from private.presence_tickets t
     where t.ticket = any (verify_presence_tickets.tickets)
       and t.topic = verify_presence_tickets.topic
       and t.expires_at > now();
end;
$$;

revoke execute on function private.issue_presence_ticket(text, text) from public, anon;
grant execute on function private.issue_presence_ticket(text, text) to authenticated;
revoke execute on function private.verify_presence_tickets(text, uuid[]) from public, anon;
grant execute on function private.verify_presence_tickets(text, uuid[]) to authenticated;

-- ── The API: security-invoker entries PostgREST serves as /rpc; the definers above do the work ──
-- RATIONALE: a security-definer function in an exposed schema is an Advisor warning (0028/0029):
-- it keeps the definer's rights out of `public`, and the wrapper is all the API can call.

create or replace function public.issue_presence_ticket(topic text, claim text default 'online')
returns jsonb
language sql volatile security invoker set search_path = ''
as $$ select private.issue_presence_ticket(topic, claim) $$;

create or replace function public.verify_presence_tickets(topic text, tickets uuid[])
returns table (ticket uuid, user_id uuid, claim text, expires_in double precision)
language sql stable security invoker set search_path = ''
as $$ select * from private.verify_presence_tickets(topic, tickets) $$;

revoke execute on function
  public.issue_presence_ticket(text, text),
  public.verify_presence_tickets(text, uuid[])
  from public, anon;
grant execute on function
  public.issue_presence_ticket(text, text),
  public.verify_presence_tickets(text, uuid[])
  to authenticated;
