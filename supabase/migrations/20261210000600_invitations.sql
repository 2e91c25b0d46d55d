-- Invitations: an owner or admin invites an email address into the organisation with a role and
-- territories; the person signs up or signs in with that address and accepts, which creates the
-- membership (and its member_change event, so the inviter's roster shows them at once).
-- Table public.invitations (owners and admins read their organisation's), RPCs create_invitation,
-- revoke_invitation, invitation_preview, accept_invitation. See docs/data-model.md "invitations"
-- and docs/security.md "Invitations".
--
-- RATIONALE: the invitation carries its inviter's authority, so who may invite whom is the
-- membership rule (private.can_manage_role: owners any role, admins members and agent accounts),
-- asked when it is made and again when it is accepted (an inviter who lost the right since cannot
-- hand it out late). The link's token is a capability only to *see* the invitation: accepting
-- needs a signed-in user whose confirmed email is the invited one, once, before it expires. Only
-- the token's SHA-256 is stored, so nobody reading the table can accept or forward it.

create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  email text not null check (email = lower(email) and char_length(email) <= 320 and email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  role text not null check (role in ('owner', 'admin', 'member', 'agent')),
  territories text[] not null default '{}' check (array_position(territories, null) is null),
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  invited_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  revoked_at timestamptz,
  check (accepted_at is null or revoked_at is null)
);
-- One open invitation per address and organisation (a new one replaces it).
create unique index invitations_organization_id_email_open_idx on public.invitations (organization_id, email)
  where accepted_at is null and revoked_at is null;
create index invitations_invited_by_idx on public.invitations (invited_by);
create index invitations_accepted_by_idx on public.invitations (accepted_by);

alter table public.invitations enable row level security;
create policy "owners and admins read their organization's invitations" on public.invitations
  for select to authenticated using (private.is_org_admin(organization_id));
-- Writes go through the functions below; nobody reads the token hash.
revoke all on public.invitations from anon, authenticated;
grant select (id, organization_id, email, role, territories, invited_by, created_at, expires_at, accepted_at,
              accepted_by, revoked_at)
  on public.invitations to authenticated;

create or replace function private.invitation_token_hash(token text) returns text
language sql immutable set search_path = ''
as $$ select encode(sha256(convert_to(coalesce(token, ''), 'UTF8')), 'hex') $$;

create or replace function private.invitation_state(i public.invitations) returns text
language sql stable set search_path = ''
as $$
  select case
    when i.accepted_at is not null then 'accepted'
    when i.revoked_at is not null then 'revoked'
    when i.expires_at <= now() then 'expired'
    else 'pending'
  end
$$;

-- Invites `email` as `role` with `territories` (empty: every territory); returns
-- `{ id, token, email, role, territories, expiresAt }`. The token is shown once: only its hash is
-- kept. An open invitation of the same address is withdrawn. Errors (PostgREST status):
--   42501 (403) the caller may not grant that role here (owners: any; admins: member, agent);
--   22023 (400) a malformed email or territory, an unknown role, a lifetime outside 1..30 days;
--   23505 (409) the address already belongs to a member;
--   PT429 (429) 200 open invitations in the organisation already.
create or replace function private.create_invitation(
  organization_id uuid,
  email text,
  role text default 'member',
  territories text[] default '{}',
  valid_for_days integer default 7
) returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  max_open constant integer := 200;
  org constant uuid := create_invitation.organization_id;
  address constant text := lower(btrim(coalesce(create_invitation.email, '')));
  places constant text[] := coalesce(create_invitation.territories, '{}');
  token constant text := replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
  made public.invitations;
begin
  if create_invitation.role is null or create_invitation.role not in ('owner', 'admin', 'member', 'agent') then
    raise exception 'role must be owner, admin, member or agent' using errcode = '22023';
  end if;
  if (select auth.uid()) is null or not private.can_manage_role(org, create_invitation.role) then
    raise exception 'you may not invite a % to organization %', create_invitation.role, org
      using errcode = '42501', hint = 'owners invite any role; admins invite members and agent accounts';
  end if;
  if char_length(address) > 320 or address !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    raise exception 'email must be an email address' using errcode = '22023';
  end if;
  if cardinality(places) > 50 or array_position(places, null) is not null
     or exists (select 1 from unnest(places) t where t !~ '^[A-Za-z0-9_-]{1,64}$') then
    raise exception 'territories must be at most 50 names matching ^[A-Za-z0-9_-]{1,64}$' using errcode = '22023';
  end if;
  if create_invitation.valid_for_days is null or create_invitation.valid_for_days not between 1 and 30 then
    raise exception 'valid_for_days must be between 1 and 30' using errcode = '22023';
  end if;
  if exists (
    select 1 from public.organization_members m join auth.users u on u.id = m.user_id
     where m.organization_id = org and lower(u.email) = address
  ) then
    raise exception '% is already a member of organization %', address, org using errcode = '23505';
  end if;
  update public.invitations i set revoked_at = now()
   where i.organization_id = org and i.email = address and i.accepted_at is null and i.revoked_at is null;
  if (select count(*) from public.invitations i
       where i.organization_id = org and i.accepted_at is null and i.revoked_at is null and i.expires_at > now()) >= max_open then
    raise exception 'organization % has % open invitations; withdraw some first', org, max_open using errcode = 'PT429';
  end if;
  insert into public.invitations (organization_id, email, role, territories, token_hash, invited_by, expires_at)
  values (org, address, create_invitation.role, places, private.invitation_token_hash(token), (select auth.uid()),
          now() + make_interval(days => create_invitation.valid_for_days))
  returning * into made;
  return jsonb_build_object(
    'id', made.id, 'token', token, 'email', made.email, 'role', made.role,
    'territories', to_jsonb(made.territories), 'expiresAt', private.iso_timestamp(made.expires_at)
  );
end;
$$;

-- Withdraws an open invitation; true when it was open. Errors: 42501 (403) the caller may not
-- grant its role; PT404 (404) no such invitation the caller may see.
create or replace function private.revoke_invitation(invitation_id uuid) returns boolean
language plpgsql volatile security definer set search_path = ''
as $$
declare
  target public.invitations;
begin
  select i.* into target from public.invitations i where i.id = revoke_invitation.invitation_id for update;
  if not found or not private.is_org_admin(target.organization_id) then
    raise exception 'invitation % not found', revoke_invitation.invitation_id using errcode = 'PT404';
  end if;
  if not private.can_manage_role(target.organization_id, target.role) then
    raise exception 'you may not withdraw an invitation to a %', target.role using errcode = '42501';
  end if;
  if private.invitation_state(target) <> 'pending' then
    return false;
  end if;
  update public.invitations i set revoked_at = now() where i.id = target.id;
  return true;
end;
$$;

-- What the link's holder may see before signing in: the organisation, the invited address, role,
-- territories, who invited, expiry and state (pending, accepted, revoked, expired); null for an
-- unknown token.
create or replace function private.invitation_preview(token text) returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object(
    'organizationName', o.name, 'email', i.email, 'role', i.role, 'territories', to_jsonb(i.territories),
    'invitedBy', p.display_name, 'expiresAt', private.iso_timestamp(i.expires_at),
    'state', private.invitation_state(i)
  )
    from public.invitations i
    join public.organizations o on o.id = i.organization_id
    left join public.profiles p on p.user_id = i.invited_by
   where i.token_hash = private.invitation_token_hash(invitation_preview.token)
$$;

-- Accepts the invitation of `token` as the signed-in user: creates the membership and returns
-- `{ organizationId, organizationName, role, territories }`. Errors (PostgREST status):
--   42501 (403) not signed in, the user's email is not the invited one, or it is not confirmed;
--   PT404 (404) no invitation with this token;
--   PT409 (409) already accepted (an invitation is used once), or the user is already a member;
--   PT410 (410) withdrawn, expired, or the inviter may no longer grant its role.
create or replace function private.accept_invitation(token text) returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  person constant uuid := (select auth.uid());
  target public.invitations;
  account auth.users;
begin
  if person is null then
    raise exception 'sign in to accept an invitation' using errcode = '42501';
  end if;
  select i.* into target from public.invitations i
   where i.token_hash = private.invitation_token_hash(accept_invitation.token) for update;
  if not found then
    raise exception 'no such invitation' using errcode = 'PT404';
  end if;
  case private.invitation_state(target)
    when 'accepted' then
      raise exception 'this invitation has already been used' using errcode = 'PT409';
    when 'revoked' then
      raise exception 'this invitation was withdrawn' using errcode = 'PT410';
    when 'expired' then
      raise exception 'this invitation expired at %', private.iso_timestamp(target.expires_at) using errcode = 'PT410';
    else
      null;
  end case;
  select u.* into account from auth.users u where u.id = person;
  if not found or lower(coalesce(account.email, '')) <> target.email then
    raise exception 'this invitation is for another email address' using errcode = '42501';
  end if;
  if account.email_confirmed_at is null then
    raise exception 'confirm your email address first' using errcode = '42501';
  end if;
  if target.invited_by is null or not private.person_can_manage_role(target.organization_id, target.invited_by, target.role) then
    raise exception 'the person who invited you may no longer grant this role' using errcode = 'PT410';
  end if;
  if exists (select 1 from public.organization_members m where m.organization_id = target.organization_id and m.user_id = person) then
    raise exception 'you are already a member of this organization' using errcode = 'PT409';
  end if;
  insert into public.organization_members (organization_id, user_id, role, territories)
  values (target.organization_id, person, target.role, target.territories);
  update public.invitations i set accepted_at = now(), accepted_by = person where i.id = target.id;
  return jsonb_build_object(
    'organizationId', target.organization_id,
    'organizationName', (select o.name from public.organizations o where o.id = target.organization_id),
    'role', target.role,
    'territories', to_jsonb(target.territories)
  );
end;
$$;

revoke execute on function
  private.invitation_token_hash(text), private.invitation_state(public.invitations)
  from public, anon, authenticated;
revoke execute on function
  private.create_invitation(uuid, text, text, text[], integer), private.revoke_invitation(uuid),
  private.accept_invitation(text), private.invitation_preview(text)
  from public, anon;
grant execute on function
  private.create_invitation(uuid, text, text, text[], integer), private.revoke_invitation(uuid),
  private.accept_invitation(text)
  to authenticated;
grant execute on function private.invitation_preview(text) to anon, authenticated;

-- ── The API: security-invoker entries PostgREST serves as /rpc; the definers above do the work ──
-- RATIONALE: a security-definer function in an exposed schema is an Advisor warning (0028/0029):
-- it keeps the definer's rights out of `public`, and the wrapper is all the API can call.

create or replace function public.create_invitation(organization_id uuid, email text, role text default 'member', territories text[] default '{}', valid_for_days integer default 7)
returns jsonb
language sql volatile security invoker set search_path = ''
as $$ select private.create_invitation(organization_id, email, role, territories, valid_for_days) $$;

create or replace function public.revoke_invitation(invitation_id uuid)
returns boolean
language sql volatile security invoker set search_path = ''
as $$ select private.revoke_invitation(invitation_id) $$;

create or replace function public.invitation_preview(token text)
returns jsonb
language sql stable security invoker set search_path = ''
as $$ select private.invitation_preview(token) $$;

create or replace function public.accept_invitation(token text)
returns jsonb
language sql volatile security invoker set search_path = ''
as $$ select private.accept_invitation(token) $$;

revoke execute on function
  public.create_invitation(uuid, text, text, text[], integer),
  public.revoke_invitation(uuid),
  public.invitation_preview(text),
  public.accept_invitation(text)
  from public, anon;
grant execute on function
  public.create_invitation(uuid, text, text, text[], integer),
  public.revoke_invitation(uuid),
  public.accept_invitation(text)
  to authenticated;
grant execute on function
  public.invitation_preview(text)
  to anon, authenticated;
