-- State the realtime-bridge edge function shares across its isolates (docs/bridge.md): the
-- Idempotency-Key store and the per-organisation rate limiter. Production runs the function on
-- many isolates at once, so neither can live in isolate memory.
--
-- The tables live in `bridge`, a schema PostgREST does not expose (config.toml [api] schemas);
-- the function reaches them only through the security-definer functions below, which only
-- service_role may execute.

create schema if not exists bridge;
revoke all on schema bridge from public;

-- One answer per (caller, key). `status` is null while the first request is still running.
create table bridge.idempotency_keys (
  caller text not null check (length(caller) between 1 and 200),
  key text not null check (length(key) between 1 and 255),
  request_hash text not null,
  status integer,
  body jsonb,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (caller, key)
);
create index idempotency_keys_expires_at_idx on bridge.idempotency_keys (expires_at);

-- Requests per organisation and wall-clock second (a fixed window).
create table bridge.rate_windows (
  organization_id uuid not null,
  window_start timestamptz not null,
  hits integer not null,
  primary key (organization_id, window_start)
);
create index rate_windows_window_start_idx on bridge.rate_windows (window_start);

-- Claims `key` for `caller`. Answers {state: claimed} (go ahead, then complete or release),
-- {state: pending} (another request holds it), {state: done, status, body} (replay that) or
-- {state: mismatch} (the key was used for a different request). Expired keys are deleted first.
-- RATIONALE: insert … on conflict do nothing makes a concurrent second claim wait for the first
-- insert's transaction, so exactly one of two simultaneous requests is `claimed`.
create or replace function public.bridge_idempotency_claim(p_caller text, p_key text, p_request_hash text, p_ttl_seconds integer)
returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  existing bridge.idempotency_keys;
begin
  delete from bridge.idempotency_keys where expires_at < now();
  insert into bridge.idempotency_keys (caller, key, request_hash, expires_at)
  values (p_caller, p_key, p_request_hash, now() + make_interval(secs => p_ttl_seconds))
  on conflict (caller, key) do nothing;
  if found then
    return jsonb_build_object('state', 'claimed');
  end if;
  select * into existing from bridge.idempotency_keys k where k.caller = p_caller and k.key = p_key;
  if existing.request_hash is distinct from p_request_hash then
    return jsonb_build_object('state', 'mismatch');
  end if;
  if existing.status is null then
    return jsonb_build_object('state', 'pending');
  end if;
  return jsonb_build_object('state', 'done', 'status', existing.status, 'body', existing.body);
end;
$$;

-- Stores the answer of a claimed key, replayed to every later request with it.
create or replace function public.bridge_idempotency_complete(p_caller text, p_key text, p_status integer, p_body jsonb)
returns void
language sql volatile security definer set search_path = ''
as $$
  update bridge.idempotency_keys set status = p_status, body = p_body
   where caller = p_caller and key = p_key and status is null
$$;

-- Gives a claimed key back (the request failed on our side), so a retry can run it.
create or replace function public.bridge_idempotency_release(p_caller text, p_key text)
returns void
language sql volatile security definer set search_path = ''
as $$
  delete from bridge.idempotency_keys where caller = p_caller and key = p_key and status is null
$$;

-- Counts one request of `p_org` in the current second; {allowed, hits, retryAfterMs}.
create or replace function public.bridge_rate_limit_hit(p_org uuid, p_limit integer)
returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  current_window timestamptz := date_trunc('second', clock_timestamp());
  n_hits integer;
begin
  delete from bridge.rate_windows w where w.window_start < current_window - interval '1 minute';
  insert into bridge.rate_windows as w (organization_id, window_start, hits)
  values (p_org, current_window, 1)
  on conflict (organization_id, window_start) do update set hits = w.hits + 1
  returning w.hits into n_hits;
  return jsonb_build_object(
    'allowed', n_hits <= p_limit,
    'hits', n_hits,
    'retryAfterMs', greatest(1, ceil(extract(epoch from (current_window + interval '1 second' - clock_timestamp())) * 1000))::integer
  );
end;
$$;

-- The member of `p_org` whose account has this email (case-insensitive), or null: integrations
-- address people by email and must not learn whether an address exists.
create or replace function public.bridge_member_by_email(p_org uuid, p_email text)
returns uuid
language sql stable security definer set search_path = ''
as $$
  select m.user_id
    from public.organization_members m
    join auth.users u on u.id = m.user_id
   where m.organization_id = p_org and lower(u.email) = lower(p_email)
   limit 1
$$;

-- A database round trip for GET /health.
create or replace function public.bridge_ping()
returns timestamptz
language sql stable security definer set search_path = ''
as $$ select now() $$;

revoke execute on function
  public.bridge_idempotency_claim(text, text, text, integer),
  public.bridge_idempotency_complete(text, text, integer, jsonb),
  public.bridge_idempotency_release(text, text),
  public.bridge_rate_limit_hit(uuid, integer),
  public.bridge_member_by_email(uuid, text),
  public.bridge_ping()
  from public, anon, authenticated;
grant execute on function
  public.bridge_idempotency_claim(text, text, text, integer),
  public.bridge_idempotency_complete(text, text, integer, jsonb),
  public.bridge_idempotency_release(text, text),
  public.bridge_rate_limit_hit(uuid, integer),
  public.bridge_member_by_email(uuid, text),
  public.bridge_ping()
  to service_role;
