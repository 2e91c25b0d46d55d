-- Campaign performance (docs/data-model.md "Campaigns"): public.campaigns belong to a publisher
-- and are readable exactly when the publisher is (territory-scoped like it); public.campaign_metrics
-- holds their data points over time — impressions, clicks, conversions and spend counted during the
-- period that ends at recorded_at — written by agent accounts (and owners/admins, the service
-- role) under RLS. Each point also adds to its campaign's running totals in the same transaction,
-- so totals and KPIs never need to sum the whole history.

create table public.campaigns (
  id uuid primary key default gen_random_uuid(),
  -- Set from the publisher by campaigns_before_write: a client cannot file a campaign elsewhere.
  organization_id uuid not null references public.organizations (id) on delete cascade,
  publisher_id uuid not null references public.publishers (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 200),
  status text not null default 'active' check (status in ('draft', 'active', 'paused', 'ended')),
  -- Running totals of its points (campaign_metrics_add_to_totals); clients cannot write them.
  impressions bigint not null default 0 check (impressions >= 0),
  clicks bigint not null default 0 check (clicks >= 0),
  conversions bigint not null default 0 check (conversions >= 0),
  spend numeric(16, 2) not null default 0 check (spend >= 0),
  points integer not null default 0 check (points >= 0),
  last_recorded_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index campaigns_publisher_id_idx on public.campaigns (publisher_id);
-- A client's catch-up reads the campaigns changed since a time (a point changes its totals).
create index campaigns_organization_id_updated_at_idx on public.campaigns (organization_id, updated_at);
create index campaigns_created_by_idx on public.campaigns (created_by);

create table public.campaign_metrics (
  id bigint generated always as identity primary key,
  campaign_id uuid not null references public.campaigns (id) on delete cascade,
  -- Copied from the campaign by campaign_metrics_before_insert (RLS and delivery read them).
  organization_id uuid not null references public.organizations (id) on delete cascade,
  publisher_id uuid not null references public.publishers (id) on delete cascade,
  recorded_at timestamptz not null default now(),
  impressions bigint not null default 0 check (impressions between 0 and 1000000000000),
  clicks bigint not null default 0 check (clicks between 0 and 1000000000000),
  conversions bigint not null default 0 check (conversions between 0 and 1000000000000),
  spend numeric(16, 2) not null default 0 check (spend between 0 and 10000000000),
  recorded_by uuid references auth.users (id) on delete set null,
  -- When the point was written (recorded_at is the sender's): a client's catch-up reads from here.
  created_at timestamptz not null default now()
);
-- A chart reads one campaign's points by time; a catch-up reads an organisation's since a time.
create index campaign_metrics_campaign_id_recorded_at_idx on public.campaign_metrics (campaign_id, recorded_at, id);
create index campaign_metrics_organization_id_created_at_idx on public.campaign_metrics (organization_id, created_at);
create index campaign_metrics_publisher_id_idx on public.campaign_metrics (publisher_id);
create index campaign_metrics_recorded_by_idx on public.campaign_metrics (recorded_by);

-- Owners, admins and agent accounts record metrics (people report through campaigns, not points).
create or replace function private.can_record_metrics(org uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(private.member_role(org) in ('owner', 'admin', 'agent'), false)
$$;
revoke execute on function private.can_record_metrics(uuid) from public;
grant execute on function private.can_record_metrics(uuid) to authenticated, service_role;

-- ── Row level security ──

alter table public.campaigns enable row level security;
alter table public.campaign_metrics enable row level security;

-- Readable while the publisher is: the subquery runs under the caller's RLS on publishers.
create policy "members read campaigns of publishers they can see" on public.campaigns
  for select to authenticated
  using (exists (select 1 from public.publishers p where p.id = campaigns.publisher_id));
create policy "people add campaigns to publishers they can edit" on public.campaigns
  for insert to authenticated
  with check (private.is_human_member(organization_id) and private.can_see_publisher(organization_id, publisher_id));
create policy "people edit campaigns of publishers they can edit" on public.campaigns
  for update to authenticated
  using (private.is_human_member(organization_id) and private.can_see_publisher(organization_id, publisher_id))
  with check (private.is_human_member(organization_id) and private.can_see_publisher(organization_id, publisher_id));
create policy "admins delete campaigns" on public.campaigns
  for delete to authenticated using (private.is_org_admin(organization_id));
revoke insert, update on public.campaigns from anon, authenticated;
grant insert (publisher_id, name, status) on public.campaigns to authenticated;
grant update (name, status) on public.campaigns to authenticated;

create policy "members read metrics of publishers they can see" on public.campaign_metrics
  for select to authenticated
  using (exists (select 1 from public.publishers p where p.id = campaign_metrics.publisher_id));
create policy "agents and admins record metrics of publishers they can see" on public.campaign_metrics
  for insert to authenticated
  with check (private.can_record_metrics(organization_id) and private.can_see_publisher(organization_id, publisher_id));
-- Points are facts: nobody changes or removes one (they go with their campaign).
revoke insert, update, delete on public.campaign_metrics from anon, authenticated;
grant insert (campaign_id, recorded_at, impressions, clicks, conversions, spend) on public.campaign_metrics to authenticated;

-- ── Write triggers ──

-- The organisation comes from the publisher, and a campaign never changes publisher (its points
-- carry the publisher too).
create or replace function private.campaigns_before_write() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.publisher_id is distinct from old.publisher_id then
    raise exception 'a campaign cannot move to another publisher' using errcode = 'insufficient_privilege';
  end if;
  new.organization_id := coalesce(
    (select p.organization_id from public.publishers p where p.id = new.publisher_id),
    new.organization_id
  );
  new.updated_at := now();
  if tg_op = 'INSERT' then
    new.created_by := coalesce((select auth.uid()), new.created_by);
  end if;
  return new;
end;
$$;

create trigger campaigns_before_write
  before insert or update on public.campaigns
  for each row execute function private.campaigns_before_write();

-- A point takes its organisation and publisher from its campaign and adds itself to the
-- campaign's totals. RATIONALE: before insert, so RLS's `with check` (evaluated after before
-- triggers) judges the campaign's real publisher; the totals update locks the campaign row, so
-- concurrent points of one campaign add up one after the other.
create or replace function private.campaign_metrics_before_insert() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  campaign public.campaigns;
begin
  select c.* into campaign from public.campaigns c where c.id = new.campaign_id;
  if not found then
    -- The foreign key would say the same; this names the campaign.
    raise exception 'campaign % not found', new.campaign_id using errcode = 'foreign_key_violation';
  end if;
  new.organization_id := campaign.organization_id;
  new.publisher_id := campaign.publisher_id;
  new.recorded_by := coalesce((select auth.uid()), new.recorded_by);
  return new;
end;
$$;

create trigger campaign_metrics_before_insert
  before insert on public.campaign_metrics
  for each row execute function private.campaign_metrics_before_insert();

create or replace function private.campaign_metrics_add_to_totals() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.campaigns c
     set impressions = c.impressions + new.impressions,
         clicks = c.clicks + new.clicks,
         conversions = c.conversions + new.conversions,
         spend = c.spend + new.spend,
         points = c.points + 1,
         last_recorded_at = greatest(c.last_recorded_at, new.recorded_at)
   where c.id = new.campaign_id;
  return null;
end;
$$;

-- After insert, once RLS has accepted the point: a refused point adds nothing.
create trigger campaign_metrics_add_to_totals
  after insert on public.campaign_metrics
  for each row execute function private.campaign_metrics_add_to_totals();

revoke execute on function
  private.campaigns_before_write(), private.campaign_metrics_before_insert(), private.campaign_metrics_add_to_totals()
  from public, anon, authenticated;
