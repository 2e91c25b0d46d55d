-- Reading publishers at scale (docs/data-model.md "Row level security"): the same rule as before —
-- owners, admins and unrestricted members see every publisher of their organisation, a member
-- limited to territories sees those territories' publishers — written so that PostgreSQL works out
-- who the caller is once per statement instead of once per row.
-- supersedes: policy "members read publishers of their territories" on public.publishers
--
-- RATIONALE: the policy called private.member_can_see_territory(organization_id, territory) for
-- every row, a security-definer function PostgreSQL cannot inline: about 20–35 µs a row, so the
-- dashboard's KPIs over 10 000 publishers (and every campaign, point and activity item whose
-- policy asks whether its publisher is visible) spent hundreds of milliseconds in it. Here the
-- caller's organisations and territories are two uncorrelated subqueries, which the planner runs
-- once and hashes; each row costs a hash probe (`npm run bench -- activity`, "KPI view").

-- The organisations whose every publisher the caller reads: as owner or admin, or as a member
-- without a territory list.
create or replace function private.my_unrestricted_organizations() returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select m.organization_id
    from public.organization_members m
   where m.user_id = (select auth.uid())
     and (m.role in ('owner', 'admin') or cardinality(m.territories) = 0)
$$;

-- (organisation, territory) for each territory the caller is limited to.
create or replace function private.my_territories() returns table (organization_id uuid, territory text)
language sql stable security definer set search_path = ''
as $$
  select m.organization_id, t.territory
    from public.organization_members m
    cross join lateral unnest(m.territories) as t (territory)
   where m.user_id = (select auth.uid())
$$;

revoke execute on function private.my_unrestricted_organizations(), private.my_territories() from public;
grant execute on function private.my_unrestricted_organizations(), private.my_territories()
  to authenticated, service_role;

-- A null territory (an unassigned publisher) never matches a pair, so only unrestricted readers
-- see it, as private.member_can_see_territory decides.
drop policy "members read publishers of their territories" on public.publishers;
create policy "members read publishers of their territories" on public.publishers
  for select to authenticated
  using (
    organization_id in (select private.my_unrestricted_organizations())
    or (organization_id, territory) in (select t.organization_id, t.territory from private.my_territories() as t)
  );
