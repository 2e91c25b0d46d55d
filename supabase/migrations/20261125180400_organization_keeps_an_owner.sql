-- An organisation always keeps at least one owner: a trigger on organization_members refuses an
-- update or delete that would leave it without one (SQLSTATE 23514), whoever makes it, the
-- service role included. Who may change which membership is the table's RLS (table_rls).

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
