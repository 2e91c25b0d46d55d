-- Live permission changes: every change of a membership (added, a new role or territories,
-- removed) is told to the member on their own topic `user:<user>` and to the organisation on
-- `org:<org>` as a `member_change` event (src/contract server-events.ts), and the member's
-- presence tickets in that organisation are withdrawn. See docs/security.md "Permission changes
-- reach open dashboards".
--
-- RATIONALE: Realtime re-authorises an open channel only when the client pushes a new access
-- token, so without a word from the server a member whose rights shrank keeps listening until
-- the token expires (jwt_expiry). The event lets a well-behaved client re-read its membership,
-- push a fresh token (Realtime then closes what it may no longer read), leave its channels and
-- drop what it may no longer see within seconds. A client that ignores it is still bounded by
-- the token's expiry. The event carries nothing the member may not know: their own membership,
-- and (on the organisation's topic) a roster change every member may read in organization_members.

create or replace function private.organization_members_broadcast() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  member uuid := coalesce(new.user_id, old.user_id);
  org uuid := coalesce(new.organization_id, old.organization_id);
  change text := case tg_op when 'INSERT' then 'added' when 'DELETE' then 'removed' else 'updated' end;
  message jsonb;
begin
  if tg_op = 'UPDATE' and (new.role, new.territories, new.organization_id, new.user_id)
                          is not distinct from (old.role, old.territories, old.organization_id, old.user_id) then
    return null;
  end if;
  if tg_op <> 'INSERT' then
    delete from private.presence_tickets t where t.user_id = old.user_id and t.organization_id = old.organization_id;
  end if;
  message := jsonb_build_object(
    'id', gen_random_uuid(),
    'type', 'member_change',
    'timestamp', private.iso_timestamp(clock_timestamp()),
    'data', jsonb_build_object(
      'organizationId', org,
      -- The organisation row is gone when its deletion cascades here.
      'organizationName', (select o.name from public.organizations o where o.id = org),
      'userId', member,
      'change', change,
      'role', case when tg_op <> 'DELETE' then new.role end,
      'territories', case when tg_op <> 'DELETE' then to_jsonb(new.territories) end,
      'previousRole', case when tg_op <> 'INSERT' then old.role end,
      'previousTerritories', case when tg_op <> 'INSERT' then to_jsonb(old.territories) end
    )
  );
  perform realtime.send(message, 'member_change', 'user:' || member::text, true);
  perform realtime.send(message, 'member_change', 'org:' || org::text, true);
  return null;
end;
$$;

create trigger organization_members_broadcast
  after insert or update or delete on public.organization_members
  for each row execute function private.organization_members_broadcast();

revoke execute on function private.organization_members_broadcast() from public, anon, authenticated;
