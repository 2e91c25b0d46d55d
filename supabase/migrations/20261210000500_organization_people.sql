-- The people of an organisation by name: the view public.organization_people (membership and
-- profile in one row, what the dashboard shows instead of user ids), and `profile_change` events
-- on the organisation's topic when someone renames themself, so open dashboards follow.
--
-- RATIONALE: security_invoker, so the caller's RLS on organization_members (members read their
-- organisation's roster) and on profiles (people read those they work with) decides, exactly as
-- if the caller joined the two tables themself.

create view public.organization_people with (security_invoker = true) as
select m.organization_id, m.user_id, m.role, m.territories, m.created_at as joined_at,
       p.display_name, p.avatar_url
  from public.organization_members m
  left join public.profiles p on p.user_id = m.user_id;

revoke all on public.organization_people from anon, authenticated;
grant select on public.organization_people to authenticated;

-- A new name or picture is told to every organisation the person belongs to.
create or replace function private.profiles_broadcast() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  org uuid;
begin
  if (new.display_name, new.avatar_url) is not distinct from (old.display_name, old.avatar_url) then
    return null;
  end if;
  for org in select m.organization_id from public.organization_members m where m.user_id = new.user_id loop
    perform realtime.send(
      jsonb_build_object(
        'id', gen_random_uuid(),
        'type', 'profile_change',
        'timestamp', private.iso_timestamp(new.updated_at),
        'data', jsonb_build_object('userId', new.user_id, 'displayName', new.display_name, 'avatarUrl', new.avatar_url)
      ),
      'profile_change',
      'org:' || org::text,
      true
    );
  end loop;
  return null;
end;
$$;

create trigger profiles_broadcast
  after update on public.profiles
  for each row execute function private.profiles_broadcast();

revoke execute on function private.profiles_broadcast() from public, anon, authenticated;
