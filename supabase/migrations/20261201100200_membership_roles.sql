-- Issue 7: an admin could take over the organisation (demote the owner, promote itself, delete
-- the owner's membership). Now only owners grant or revoke `owner` and `admin`; admins manage
-- members and agent accounts only; and an organisation always keeps at least one owner.

-- Whether the caller may create, change or remove a membership whose role is `target_role`
-- (checked on the row before a change and on the row after it).
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
revoke execute on function private.can_manage_role(uuid, text) from public;
grant execute on function private.can_manage_role(uuid, text) to anon, authenticated, service_role;

drop policy "admins add members" on public.organization_members;
drop policy "admins update members" on public.organization_members;
drop policy "admins remove members" on public.organization_members;

create policy "owners and admins add members in roles they manage" on public.organization_members
  for insert to authenticated
  with check (private.can_manage_role(organization_id, role));
-- `using` sees the row before the change (an admin cannot touch an owner's or admin's row),
-- `with check` the row after it (an admin cannot hand out owner or admin).
create policy "owners and admins update members in roles they manage" on public.organization_members
  for update to authenticated
  using (private.can_manage_role(organization_id, role))
  with check (private.can_manage_role(organization_id, role));
create policy "owners and admins remove members in roles they manage" on public.organization_members
  for delete to authenticated
  using (private.can_manage_role(organization_id, role));

-- RATIONALE: an AFTER trigger, not BEFORE: it runs once the whole statement has applied, so a
-- statement that demotes several owners at once is judged on what remains. It locks the
-- organisation row first, so two owners demoting each other concurrently are serialised and
-- the second sees the first's change. The service role is held to it too.
create or replace function private.organization_keeps_an_owner() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if old.role <> 'owner'
     or (tg_op = 'UPDATE' and new.role = 'owner' and new.organization_id = old.organization_id) then
    return null;
  end if;
  perform 1 from public.organizations o where o.id = old.organization_id for update;
  if not found then
    -- The organisation itself is being deleted (its memberships cascade): nothing to keep.
    return null;
  end if;
  if not exists (
    select 1 from public.organization_members m
     where m.organization_id = old.organization_id and m.role = 'owner'
  ) then
    raise exception 'An organization must keep at least one owner'
      using errcode = 'check_violation',
            detail = format('Organization %s would have no owner left.', old.organization_id),
            hint = 'Make another member owner first.';
  end if;
  return null;
end;
$$;
revoke execute on function private.organization_keeps_an_owner() from public, anon, authenticated;

create trigger organization_keeps_an_owner
  after update or delete on public.organization_members
  for each row execute function private.organization_keeps_an_owner();
