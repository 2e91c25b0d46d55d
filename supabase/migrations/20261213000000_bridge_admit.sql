-- The realtime-bridge admits a POST /broadcast in one database round trip (docs/bridge.md):
-- public.bridge_admit resolves the caller, reads their role in the organisation, checks that the
-- role may send the message's type, counts the organisation's rate limit and claims the
-- Idempotency-Key, in that order, stopping at the first refusal (a refused request is neither
-- counted nor claimed). It reuses bridge_rate_limit_hit and bridge_idempotency_claim
-- (20261201110000_bridge_store.sql) unchanged.
--
-- The bridge calls it through PostgREST with the caller's own bearer token (a user's access token,
-- or the service role key), so PostgREST has verified the token's signature and expiry before the
-- function runs. The function adds what Auth's GET /user adds: the user still exists, and the
-- token's session (its `session_id` claim) has not been signed out.
--
-- RATIONALE: the work is a security definer function in `private` (not exposed over REST, as
-- Supabase's linter asks), because it reads auth.users, auth.sessions and the bridge schema, which
-- no client may read; `public.bridge_admit` is the invoker wrapper REST calls. It answers only
-- about the caller (auth.uid()) and claims keys only in the caller's own name, so a signed-in user
-- who calls it directly learns nothing about anyone else and can only spend their own
-- organisation's bridge rate limit, as the bridge itself would.

create function private.bridge_admit(
  p_org uuid,
  p_allowed_roles text[],
  p_limit integer,
  p_key text default null,
  p_request_hash text default null,
  p_ttl_seconds integer default 300
)
returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_claims jsonb := coalesce(auth.jwt(), '{}'::jsonb);
  v_uid uuid := auth.uid();
  v_session text := v_claims ->> 'session_id';
  v_role text;
  v_territories text[] := '{}';
  v_email text;
  v_caller text;
  v_rate jsonb;
begin
  if v_claims ->> 'role' = 'service_role' then
    v_role := 'service';
    v_caller := 'service_role';
  else
    if v_uid is null or v_claims ->> 'role' is distinct from 'authenticated' then
      return jsonb_build_object('outcome', 'invalid_token');
    end if;
    select u.email into v_email from auth.users u where u.id = v_uid;
    if not found or (v_session is not null and not exists (select 1 from auth.sessions s where s.id::text = v_session)) then
      return jsonb_build_object('outcome', 'invalid_token');
    end if;
    select m.role, m.territories into v_role, v_territories
      from public.organization_members m
     where m.organization_id = p_org and m.user_id = v_uid;
    if not found then
      return jsonb_build_object('outcome', 'not_a_member');
    end if;
    v_caller := v_uid::text;
  end if;
  if not (v_role = any (p_allowed_roles)) then
    return jsonb_build_object('outcome', 'type_not_allowed', 'role', v_role);
  end if;
  v_rate := public.bridge_rate_limit_hit(p_org, p_limit);
  if not (v_rate ->> 'allowed')::boolean then
    return jsonb_build_object('outcome', 'rate_limited', 'retryAfterMs', (v_rate ->> 'retryAfterMs')::integer);
  end if;
  return jsonb_build_object(
    'outcome', 'admitted',
    'role', v_role,
    'territories', to_jsonb(coalesce(v_territories, '{}'::text[])),
    'userId', v_uid,
    'email', v_email,
    'claim', case when p_key is null then null
                  else public.bridge_idempotency_claim(v_caller, p_key, p_request_hash, p_ttl_seconds) end
  );
end;
$$;

create function public.bridge_admit(
  p_org uuid,
  p_allowed_roles text[],
  p_limit integer,
  p_key text default null,
  p_request_hash text default null,
  p_ttl_seconds integer default 300
)
returns jsonb
language sql volatile security invoker set search_path = ''
as $$ select private.bridge_admit(p_org, p_allowed_roles, p_limit, p_key, p_request_hash, p_ttl_seconds) $$;

revoke execute on function private.bridge_admit(uuid, text[], integer, text, text, integer) from public, anon;
revoke execute on function public.bridge_admit(uuid, text[], integer, text, text, integer) from public, anon;
grant execute on function private.bridge_admit(uuid, text[], integer, text, text, integer) to authenticated, service_role;
grant execute on function public.bridge_admit(uuid, text[], integer, text, text, integer) to authenticated, service_role;
