-- What a given person (not the caller) may do in an organisation: the helpers of
-- access_helpers asked about any user id. Triggers and security-definer functions need them to
-- judge someone other than the caller: whom a mention may reach, who may own a publisher,
-- whether an inviter may still grant the role their invitation offers.
-- Same rules as private.member_role / member_can_see_territory / can_manage_role (access_helpers);
-- none of them raises on odd input.

-- `person`'s role in `org`, or null when they are not a member.
create or replace function private.person_role(org uuid, person uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select m.role from public.organization_members m
   where m.organization_id = org and m.user_id = person
$$;

-- Owners and admins see every territory; other members all of them when their list is empty,
-- else only the listed ones. A null territory (unassigned) is for unrestricted members only.
create or replace function private.person_can_see_territory(org uuid, person uuid, territory text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.organization_members m
     where m.organization_id = org and m.user_id = person
       and (m.role in ('owner', 'admin') or cardinality(m.territories) = 0 or territory = any (m.territories))
  )
$$;

-- Whether `person` may grant `target_role` in `org` (private.can_manage_role, for anyone).
create or replace function private.person_can_manage_role(org uuid, person uuid, target_role text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(
    case private.person_role(org, person)
      when 'owner' then true
      when 'admin' then target_role in ('member', 'agent')
      else false
    end,
    false
  )
$$;

revoke execute on function
  private.person_role(uuid, uuid), private.person_can_see_territory(uuid, uuid, text),
  private.person_can_manage_role(uuid, uuid, text)
  from public, anon, authenticated;
grant execute on function
  private.person_role(uuid, uuid), private.person_can_see_territory(uuid, uuid, text),
  private.person_can_manage_role(uuid, uuid, text)
  to service_role;
