-- Presence tickets renewed in place (docs/capacity.md "Presence"): the holder of a live ticket
-- extends it, `renew_presence_ticket(ticket)`, instead of tracking a new ticket every minute.
--
-- RATIONALE: every track is a presence event delivered to everyone on the topic, and Realtime
-- counts those against the project's presence quota (20 a second on a Free project). Tracking a
-- fresh ticket every minute cost one presence diff per member online per person per minute on
-- org:<org>: 400 a minute for 20 people, 2,500 for 50, for a change nobody can see. A renewed
-- ticket keeps its id, so the presence meta stays as it is and Realtime sends nothing; observers
-- re-verify a ticket shortly before their cached verdict runs out (src/realtime/presence-verifier.ts).
--
-- What a replay can do is unchanged: a copied ticket vouches only for its person's own claim on
-- its topic, and only until it expires, at most two minutes after that person's last renewal;
-- only the person it was issued to may renew it, only while they may still be present there, and
-- any change of their membership still deletes it at once.

-- Extends the caller's live ticket by its lifetime (two minutes, as private.issue_presence_ticket
-- issues it): `{ ticket, expiresAt }`. Errors (PostgREST status):
--   42501 (403) not signed in, or no longer allowed presence on the ticket's topic;
--   P0002 (404) no live ticket of the caller with that id (expired, deleted, or someone else's):
--               issue a new one.
create or replace function private.renew_presence_ticket(ticket uuid) returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  lifetime constant interval := interval '2 minutes';
  person constant uuid := (select auth.uid());
  renewed private.presence_tickets;
begin
  if person is null then
    raise exception 'renew_presence_ticket needs a signed-in person' using errcode = '42501';
  end if;
  update private.presence_tickets t
     set expires_at = now() + lifetime
   where t.ticket = renew_presence_ticket.ticket and t.user_id = person and t.expires_at > now()
  returning t.* into renewed;
  if not found then
    raise exception 'no live presence ticket % of yours', coalesce(renew_presence_ticket.ticket::text, 'null')
      using errcode = 'P0002', hint = 'issue a new one with issue_presence_ticket';
  end if;
  if not private.can_write_topic(renewed.topic, 'presence') then
    raise exception 'you may not be present on %', renewed.topic using errcode = '42501';
  end if;
  return jsonb_build_object('ticket', renewed.ticket, 'expiresAt', private.iso_timestamp(renewed.expires_at));
end;
$$;

revoke execute on function private.renew_presence_ticket(uuid) from public, anon;
grant execute on function private.renew_presence_ticket(uuid) to authenticated;

-- The API: a security-invoker entry PostgREST serves as /rpc/renew_presence_ticket (see
-- 20261210000200_presence_tickets.sql for why the definer stays in `private`).
create or replace function public.renew_presence_ticket(ticket uuid) returns jsonb
language sql volatile security invoker set search_path = ''
as $$ select private.renew_presence_ticket(ticket) $$;

revoke execute on function public.renew_presence_ticket(uuid) from public, anon;
grant execute on function public.renew_presence_ticket(uuid) to authenticated;
