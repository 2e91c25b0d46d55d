-- Who may own a publisher, and who may give it away (docs/security.md "Publisher ownership"):
--   * an owner (publishers.owner_id) is a person of the publisher's organisation (owner, admin or
--     member; never an agent account) who may see its territory: private.may_own_publisher;
--   * the owner changes only by the organisation's owners and admins, or by the current owner
--     (who may hand it on or let it go); a person creating a publisher may own it themself;
--   * whatever hides a publisher from its owner ends the ownership (owner_id becomes null): the
--     publisher moving to a territory they may not see, their territories shrinking, their
--     removal from the organisation;
--   * the new owner gets a notification (unless they made themself owner).
-- The rules are triggers, so they hold for save_publisher, a plain PATCH and the service role
-- alike (the service role is exempt from "who may transfer" only). For the transfer UI:
-- public.may_transfer_publisher(publisher_id) and public.publisher_owner_candidates(publisher_id).

create or replace function private.may_own_publisher(org uuid, territory text, person uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(private.person_role(org, person) in ('owner', 'admin', 'member'), false)
     and private.person_can_see_territory(org, person, territory)
$$;

-- The caller may change the owner of a publisher of `org` whose owner is `current_owner`. No
-- signed-in user (the service role, a migration) may too.
create or replace function private.may_transfer_ownership(org uuid, current_owner uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select (select auth.uid()) is null
      or private.is_org_admin(org)
      or (current_owner is not null and current_owner = (select auth.uid()))
$$;

-- Errors (PostgREST status): 42501 (403) the caller may not change the owner;
-- 23514 (400) the new owner is not a person of the organisation who may see the publisher.
create or replace function private.publishers_owner_rules() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  me constant uuid := (select auth.uid());
begin
  if tg_op = 'INSERT' then
    if new.owner_id is null then
      return new;
    end if;
    if me is not null and new.owner_id <> me and not private.is_org_admin(new.organization_id) then
      raise exception 'only owners and admins give a new publisher to someone else' using errcode = '42501';
    end if;
  elsif new.owner_id is distinct from old.owner_id then
    if not private.may_transfer_ownership(old.organization_id, old.owner_id) then
      raise exception 'only the owner of publisher %, or an owner or admin of its organization, may change its owner', old.id
        using errcode = '42501';
    end if;
    if new.owner_id is null then
      return new;
    end if;
  elsif new.territory is distinct from old.territory and new.owner_id is not null
        and not private.may_own_publisher(new.organization_id, new.territory, new.owner_id) then
    -- The move hides the record from its owner: the ownership ends with it.
    new.owner_id := null;
    return new;
  else
    return new;
  end if;
  if not private.may_own_publisher(new.organization_id, new.territory, new.owner_id) then
    raise exception 'the owner of a publisher must be a person of its organization who may see its territory (%)',
      coalesce(new.territory, 'unassigned')
      using errcode = '23514', detail = format('%s may not own publisher %s.', new.owner_id, new.id);
  end if;
  return new;
end;
$$;

create trigger publishers_owner_rules
  before insert or update of owner_id, territory on public.publishers
  for each row execute function private.publishers_owner_rules();

-- "<who> made you the owner of <publisher>", to the new owner, linking to the record.
create or replace function private.publishers_notify_new_owner() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  me constant uuid := (select auth.uid());
begin
  -- Rows loaded without a signed-in person (the seed, an import by the service role) announce nothing.
  if new.owner_id is null or new.owner_id is not distinct from me or (tg_op = 'INSERT' and me is null)
     or (tg_op = 'UPDATE' and new.owner_id is not distinct from old.owner_id) then
    return null;
  end if;
  insert into public.notifications (organization_id, user_id, level, message, action_url, persistent, source)
  values (
    new.organization_id, new.owner_id, 'info',
    left(format('%s made you the owner of %s',
                coalesce((select p.display_name from public.profiles p where p.user_id = me), 'Someone'), new.name), 2000),
    '/publishers/' || new.id::text, false, 'ownership'
  );
  return null;
end;
$$;

create trigger publishers_notify_new_owner
  after insert or update of owner_id on public.publishers
  for each row execute function private.publishers_notify_new_owner();

-- A membership change that hides a publisher from its owner (fewer territories, another role,
-- removal) ends that ownership.
create or replace function private.organization_members_release_ownerships() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- The organisation is being deleted (its memberships and publishers cascade): nothing to release.
  if not exists (select 1 from public.organizations o where o.id = old.organization_id) then
    return null;
  end if;
  update public.publishers p set owner_id = null
   where p.organization_id = old.organization_id and p.owner_id = old.user_id
     and not private.may_own_publisher(p.organization_id, p.territory, p.owner_id);
  return null;
end;
$$;

create trigger organization_members_release_ownerships
  after update of role, territories or delete on public.organization_members
  for each row execute function private.organization_members_release_ownerships();

-- Whether the caller may change the owner of `publisher_id` (false when they cannot read it).
create or replace function private.may_transfer_publisher(publisher_id uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce((
    select private.member_can_see_territory(p.organization_id, p.territory)
       and private.is_human_member(p.organization_id)
       and (private.is_org_admin(p.organization_id) or p.owner_id = (select auth.uid()))
      from public.publishers p
     where p.id = may_transfer_publisher.publisher_id
  ), false)
$$;

-- Who may own `publisher_id` now, by name: what a transfer picker lists. Empty when the caller
-- may not change its owner.
create or replace function private.publisher_owner_candidates(publisher_id uuid)
returns table (user_id uuid, display_name text, role text)
language sql stable security definer set search_path = ''
as $$
  select m.user_id, coalesce(pr.display_name, ''), m.role
    from public.publishers p
    join public.organization_members m on m.organization_id = p.organization_id
    left join public.profiles pr on pr.user_id = m.user_id
   where p.id = publisher_owner_candidates.publisher_id
     and private.may_transfer_publisher(p.id)
     and private.may_own_publisher(p.organization_id, p.territory, m.user_id)
   order by coalesce(pr.display_name, ''), m.user_id
$$;

revoke execute on function
  private.may_own_publisher(uuid, text, uuid), private.may_transfer_ownership(uuid, uuid),
  private.publishers_owner_rules(), private.publishers_notify_new_owner(),
  private.organization_members_release_ownerships()
  from public, anon, authenticated;
revoke execute on function
  private.may_transfer_publisher(uuid), private.publisher_owner_candidates(uuid)
  from public, anon;
grant execute on function
  private.may_transfer_publisher(uuid), private.publisher_owner_candidates(uuid)
  to authenticated;

-- ── The API: security-invoker entries PostgREST serves as /rpc; the definers above do the work ──
-- RATIONALE: a security-definer function in an exposed schema is an Advisor warning (0028/0029):
-- it keeps the definer's rights out of `public`, and the wrapper is all the API can call.

create or replace function public.may_transfer_publisher(publisher_id uuid)
returns boolean
language sql stable security invoker set search_path = ''
as $$ select private.may_transfer_publisher(publisher_id) $$;

create or replace function public.publisher_owner_candidates(publisher_id uuid)
returns table (user_id uuid, display_name text, role text)
language sql stable security invoker set search_path = ''
as $$ select * from private.publisher_owner_candidates(publisher_id) $$;

revoke execute on function
  public.may_transfer_publisher(uuid),
  public.publisher_owner_candidates(uuid)
  from public, anon;
grant execute on function
  public.may_transfer_publisher(uuid),
  public.publisher_owner_candidates(uuid)
  to authenticated;
