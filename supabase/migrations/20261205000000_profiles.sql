-- Profiles: the name and picture people are shown by, one row per Auth user, so that the
-- dashboard and every message can name people instead of showing ids (docs/data-model.md
-- "profiles"). A trigger on auth.users creates the row whenever Auth creates a user (sign-up,
-- an admin's create or invite), from the metadata Supabase Auth stores with the user
-- (`display_name`, `full_name` or `name`), else the local part of the email.
-- Readable by the user and by people who share an organisation with them; written only by the
-- user (the display name and the avatar URL), never by clients on someone else's behalf.

create table public.profiles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  display_name text not null check (char_length(btrim(display_name)) between 1 and 80),
  avatar_url text check (avatar_url is null or (char_length(avatar_url) <= 2048 and avatar_url ~ '^https?://')),
  updated_at timestamptz not null default now()
);

-- Whether the caller and `other` are members of one organisation (security definer: it reads
-- organization_members past that table's own RLS, like the helpers in access_helpers).
create or replace function private.shares_organization_with(other uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1
      from public.organization_members mine
      join public.organization_members theirs on theirs.organization_id = mine.organization_id
     where mine.user_id = (select auth.uid()) and theirs.user_id = other
  )
$$;

alter table public.profiles enable row level security;

create policy "people read their own profile and those of people they work with" on public.profiles
  for select to authenticated
  using (user_id = (select auth.uid()) or private.shares_organization_with(user_id));
create policy "people edit their own profile" on public.profiles
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
revoke insert, update, delete on public.profiles from anon, authenticated;
grant update (display_name, avatar_url) on public.profiles to authenticated;

-- The first display name: what the person gave at sign-up, else their email's local part.
create or replace function private.create_profile_for_new_user() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  meta jsonb := coalesce(new.raw_user_meta_data, '{}'::jsonb);
  name text := btrim(coalesce(meta ->> 'display_name', meta ->> 'full_name', meta ->> 'name', ''));
begin
  if name = '' then
    name := coalesce(nullif(split_part(coalesce(new.email, ''), '@', 1), ''), 'New user');
  end if;
  insert into public.profiles (user_id, display_name, avatar_url)
  values (new.id, left(name, 80), nullif(meta ->> 'avatar_url', ''))
  on conflict (user_id) do nothing;
  return new;
end
$$;

create trigger create_profile_for_new_user
  after insert on auth.users
  for each row execute function private.create_profile_for_new_user();

create or replace function private.profiles_touch_updated_at() returns trigger
language plpgsql set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

create trigger profiles_touch_updated_at
  before update on public.profiles
  for each row execute function private.profiles_touch_updated_at();
