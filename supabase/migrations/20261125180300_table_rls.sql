-- Row level security and column grants for the tables of the schema migration (docs/data-model.md
-- "Tables"); publisher_changes and notification_reads carry theirs in their own migrations.
-- Policies are for `authenticated` only: anon sees and writes nothing; service_role bypasses RLS.
-- Column grants (for agent_runs, its before-write trigger) pin what a client may change, so RLS
-- only has to decide *which rows*.

alter table public.organizations enable row level security;
alter table public.organization_members enable row level security;
alter table public.publishers enable row level security;
alter table public.agent_runs enable row level security;
alter table public.notifications enable row level security;
alter table public.team_updates enable row level security;

-- ── organizations: members read; changes go through the service role ──
create policy "members read their organizations" on public.organizations
  for select to authenticated using (private.is_member(id));

-- ── organization_members: members read their org's roster; owners and admins manage it ──
-- Only owners grant or revoke `owner` and `admin`; admins manage members and agent accounts only
-- (private.can_manage_role), so an admin cannot take over the organisation. That at least one
-- owner remains is the trigger organization_keeps_an_owner's job.
create policy "members read their organization's members" on public.organization_members
  for select to authenticated using (private.is_member(organization_id));
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
revoke update on public.organization_members from anon, authenticated;
grant update (role, territories) on public.organization_members to authenticated;

-- ── publishers ──
create policy "members read publishers of their territories" on public.publishers
  for select to authenticated using (private.member_can_see_territory(organization_id, territory));
-- People (not agent accounts) create and edit the publishers they can see; the `with check`
-- keeps a territory-restricted member from moving a record out of their territories.
create policy "people add publishers in their territories" on public.publishers
  for insert to authenticated
  with check (private.is_human_member(organization_id) and private.member_can_see_territory(organization_id, territory));
create policy "people edit publishers they can see" on public.publishers
  for update to authenticated
  using (private.is_human_member(organization_id) and private.member_can_see_territory(organization_id, territory))
  with check (private.is_human_member(organization_id) and private.member_can_see_territory(organization_id, territory));
create policy "admins delete publishers" on public.publishers
  for delete to authenticated using (private.is_org_admin(organization_id));
-- version, updated_by and updated_at are the trigger's; organization_id never changes.
revoke update on public.publishers from anon, authenticated;
grant update (name, status, territory, owner_id, custom_fields) on public.publishers to authenticated;

-- ── agent_runs: members read; agent accounts (and owners/admins) write, nobody deletes ──
create policy "members read agent runs" on public.agent_runs
  for select to authenticated using (private.is_member(organization_id));
create policy "agents start runs" on public.agent_runs
  for insert to authenticated with check (private.can_write_agent_runs(organization_id));
create policy "agents update runs" on public.agent_runs
  for update to authenticated
  using (private.can_write_agent_runs(organization_id))
  with check (private.can_write_agent_runs(organization_id));
-- No column grants here, unlike publishers: agents may upsert a whole run row (PostgREST's
-- `on conflict do update` sets every column it was sent). The before-write trigger instead
-- owns seq and updated_at and refuses a change of id or organization_id.

-- ── notifications: own + org-wide; only read_at of one's own changes; created by the service role and triggers ──
create policy "members read their own and org-wide notifications" on public.notifications
  for select to authenticated
  using (
    (user_id = (select auth.uid()) or user_id is null)
    and private.is_member(organization_id)
  );
create policy "users mark their own notifications read" on public.notifications
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
revoke insert, update, delete on public.notifications from anon, authenticated;
grant update (read_at) on public.notifications to authenticated;

-- ── team_updates: org-wide ones to every member, territory ones to members of that territory ──
create policy "members read team updates of their territories" on public.team_updates
  for select to authenticated
  using (
    private.is_member(organization_id)
    and (territory is null or private.member_can_see_territory(organization_id, territory))
  );
create policy "people post team updates as themselves" on public.team_updates
  for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and private.is_human_member(organization_id)
    and (territory is null or private.member_can_see_territory(organization_id, territory))
  );
revoke update, delete on public.team_updates from anon, authenticated;
