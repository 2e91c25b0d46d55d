-- Two more tables of Supabase Auth's schema, which the local Auth server's sign-up, admin, invite
-- and verify endpoints write (supabase/auth migrations create_identities_table,
-- add_identities_email_column, add_id_pkey_identities, add_one_time_tokens_table):
-- - auth.identities: one row per way a user signs in; an email/password user has provider 'email'.
--   The seed adds the fixture users' rows when this table exists.
-- - auth.one_time_tokens: the confirmation (sign-up, invite) tokens' hashes, one per user and type.
-- Runs after the shim's auth tables, as the same superuser. Where the platform's owner role
-- exists, the tables are given to it with RLS on and no policies, as Supabase Auth leaves them.
-- Idempotent.

create table if not exists auth.identities (
  provider_id text not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  identity_data jsonb not null,
  provider text not null,
  last_sign_in_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz,
  email text generated always as (lower(identity_data ->> 'email')) stored,
  id uuid primary key default gen_random_uuid(),
  constraint identities_provider_id_provider_unique unique (provider_id, provider)
);
create index if not exists identities_user_id_idx on auth.identities (user_id);
create index if not exists identities_email_idx on auth.identities (email text_pattern_ops);

do $$
begin
  create type auth.one_time_token_type as enum (
    'confirmation_token', 'reauthentication_token', 'recovery_token',
    'email_change_token_new', 'email_change_token_current', 'phone_change_token'
  );
exception
  when duplicate_object then null;
end
$$;

create table if not exists auth.one_time_tokens (
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  token_type auth.one_time_token_type not null,
  token_hash text not null check (char_length(token_hash) > 0),
  relates_to text not null,
  created_at timestamp without time zone not null default now(),
  updated_at timestamp without time zone not null default now()
);
create index if not exists one_time_tokens_token_hash_hash_idx on auth.one_time_tokens (token_hash);
create index if not exists one_time_tokens_relates_to_hash_idx on auth.one_time_tokens (relates_to);
create unique index if not exists one_time_tokens_user_id_token_type_key on auth.one_time_tokens (user_id, token_type);

do $$
begin
  if exists (select from pg_roles where rolname = 'supabase_auth_admin') then
    alter table auth.identities owner to supabase_auth_admin;
    alter table auth.one_time_tokens owner to supabase_auth_admin;
    alter type auth.one_time_token_type owner to supabase_auth_admin;
  end if;
  if exists (select from pg_roles where rolname = 'postgres') then
    grant all on auth.identities, auth.one_time_tokens to postgres;
  end if;
end
$$;
alter table auth.identities enable row level security;
alter table auth.one_time_tokens enable row level security;
