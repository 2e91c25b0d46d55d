-- The PubDev tables (docs/data-model.md): organizations, organization_members, publishers,
-- agent_runs, notifications, team_updates, with their indexes (publisher_changes and
-- notification_reads are created with their features). Row access is decided by RLS
-- (table_rls). Every column an RLS helper or a foreign key looks up is indexed here: a foreign
-- key `on delete set null` without an index makes each deletion of a user scan the table.

create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  created_at timestamptz not null default now()
);

create table public.organization_members (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'member' check (role in ('owner', 'admin', 'member', 'agent')),
  -- Empty means every territory of the organisation.
  territories text[] not null default '{}'
    check (array_position(territories, null) is null),
  created_at timestamptz not null default now(),
  primary key (organization_id, user_id)
);
-- private.is_member & co. look up (user, org); the primary key serves (org, user) listings.
create index organization_members_user_id_organization_id_idx
  on public.organization_members (user_id, organization_id);

create table public.publishers (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  status text not null default 'prospect' check (status ~ '^[a-z_]{1,32}$'),
  -- Same grammar as a topic's territory segment (src/contract/topics.ts TERRITORY_PATTERN):
  -- the broadcast trigger puts it into `org:<org>:territory:<territory>`.
  territory text check (territory ~ '^[A-Za-z0-9_-]{1,64}$'),
  owner_id uuid references auth.users (id) on delete set null,
  custom_fields jsonb not null default '{}' check (jsonb_typeof(custom_fields) = 'object'),
  version integer not null default 1 check (version >= 1),
  updated_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index publishers_organization_id_territory_idx on public.publishers (organization_id, territory);
create index publishers_owner_id_idx on public.publishers (owner_id);
create index publishers_updated_by_idx on public.publishers (updated_by);

create table public.agent_runs (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  agent_id text not null check (length(agent_id) between 1 and 200),
  status text not null default 'idle' check (status in ('idle', 'queued', 'processing', 'completed', 'error')),
  progress double precision check (progress between 0 and 100),
  current_task text,
  estimated_time integer check (estimated_time >= 0), -- seconds
  queue_position integer check (queue_position >= 0),
  attempt integer not null default 1 check (attempt >= 1),
  error text,
  result jsonb,
  -- Monotonic per run (set by the broadcast trigger); clients drop agent_status older than the last seen.
  seq bigint not null default 0 check (seq >= 0),
  started_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index agent_runs_organization_id_updated_at_idx on public.agent_runs (organization_id, updated_at desc);

create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  -- Null means org-wide.
  user_id uuid references auth.users (id) on delete cascade,
  level text not null default 'info' check (level in ('info', 'warning', 'error', 'success')),
  message text not null check (length(message) between 1 and 2000),
  action_url text check (length(action_url) <= 2000),
  persistent boolean not null default false,
  source text check (source ~ '^[a-z_]{1,32}$'),
  read_at timestamptz,
  created_at timestamptz not null default now()
);
create index notifications_organization_id_created_at_idx on public.notifications (organization_id, created_at desc);
create index notifications_user_id_created_at_idx on public.notifications (user_id, created_at desc) where user_id is not null;

create table public.team_updates (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  update_type text not null check (update_type in ('assignment', 'territory_change', 'publisher_update')),
  message text not null check (length(message) between 1 and 2000),
  user_id uuid references auth.users (id) on delete set null,
  -- Null means org-wide.
  territory text check (territory ~ '^[A-Za-z0-9_-]{1,64}$'),
  -- `mentions`, when present, lists the mentioned users' ids (lowercase uuids, the contract's form).
  details jsonb not null default '{}' check (
    jsonb_typeof(details) = 'object'
    and (
      coalesce(jsonb_typeof(details -> 'mentions'), 'null') = 'null'
      or jsonb_typeof(details -> 'mentions') = 'array'
      and not jsonb_path_exists(
        details -> 'mentions',
        '$[*] ? (@.type() != "string" || !(@ like_regex "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"))'
      )
    )
  ),
  created_at timestamptz not null default now()
);
create index team_updates_organization_id_created_at_idx on public.team_updates (organization_id, created_at desc);
create index team_updates_organization_id_territory_idx on public.team_updates (organization_id, territory);
create index team_updates_user_id_idx on public.team_updates (user_id);
