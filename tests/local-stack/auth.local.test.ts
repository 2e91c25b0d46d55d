/**
 * /auth/v1 through supabase-js: password sign-in, the session and its access token, refresh-token
 * rotation with reuse detection, expired and forged tokens, logout scopes, and GoTrue's error
 * shapes (what `AuthApiError.code`/`.message` end up being). Runs on PGlite and PostgreSQL.
 */
import { AuthApiError, AuthSessionMissingError } from '@supabase/supabase-js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { withClaims, type JwtClaims } from '../../local-stack/db/index.ts';
import { FIXTURE_PASSWORD, USERS } from '../../supabase/fixture.ts';
import { signJwt, verifyJwt } from '../../local-stack/index.ts';
import { BACKENDS } from '../_db.ts';
import { startAuthStack, type AuthStack } from '../_support/auth-stack.ts';

/** Not Supabase's default hour: proves the stack's jwtExpirySeconds reaches the tokens. */
const EXPIRY_SECONDS = 600;
const agent = USERS.acmeAgent;

describe.each(BACKENDS)('/auth/v1 on %s', (backend) => {
  let auth: AuthStack;

  beforeAll(async () => {
    // Reuse interval 0: a rotated-out refresh token is a reuse at once (Supabase's default is 10 s).
    // This suite makes more token requests than Supabase's burst of 30 (auth-rate-limit.local.test.ts tests that).
    auth = await startAuthStack(backend, {
      jwtExpirySeconds: EXPIRY_SECONDS,
      refreshTokenReuseIntervalSeconds: 0,
      authRateLimitToken: 10_000,
    });
  });
  afterAll(async () => {
    await auth?.stop();
  });

  async function expectAuthError(result: Promise<{ error: unknown }>, status: number, code: string, message: string) {
    const { error } = await result;
    expect(error).toBeInstanceOf(AuthApiError);
    expect(error).toMatchObject({ status, code, message });
  }

  describe('password sign-in', () => {
    test('signInWithPassword returns a GoTrue session whose access token carries Supabase Auth claims', async () => {
      const client = auth.client();
      const before = Math.floor(Date.now() / 1000);
      const { data, error } = await client.auth.signInWithPassword({ email: agent.email, password: FIXTURE_PASSWORD });
      expect(error).toBeNull();
      const session = data.session!;
      expect(session).toMatchObject({ token_type: 'bearer', expires_in: EXPIRY_SECONDS });
      expect(session.refresh_token).toMatch(/^[a-z0-9]{12}$/);
      expect(session.user).toMatchObject({
        id: agent.id,
        aud: 'authenticated',
        role: 'authenticated',
        email: agent.email,
        phone: '',
        app_metadata: { provider: 'email', providers: ['email'] },
        user_metadata: {},
        // The seed gives each fixture user its email identity, as Supabase Auth has for every email user.
        identities: [
          expect.objectContaining({
            id: agent.id,
            user_id: agent.id,
            provider: 'email',
            email: agent.email,
            identity_data: { sub: agent.id, email: agent.email, email_verified: true },
          }),
        ],
        is_anonymous: false,
      });
      expect(session.user.last_sign_in_at).toBeTruthy();
      expect(session.user.email_confirmed_at).toBeTruthy();
      expect(session.user.confirmed_at).toBe(session.user.email_confirmed_at);

      const claims = decodeJwt(session.access_token);
      expect(claims).toMatchObject({
        sub: agent.id,
        role: 'authenticated',
        aud: 'authenticated',
        iss: `${auth.stack.url}/auth/v1`,
        email: agent.email,
        phone: '',
        app_metadata: { provider: 'email', providers: ['email'] },
        user_metadata: {},
        aal: 'aal1',
        is_anonymous: false,
      });
      expect(claims.session_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(claims.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);
      expect(claims.iat).toBeGreaterThanOrEqual(before);
      expect(claims.exp! - claims.iat!).toBe(EXPIRY_SECONDS);
      expect(session.expires_at).toBe(claims.exp);
      expect((await verifyJwt(session.access_token, auth.stack.config.jwtSecret)).ok).toBe(true);
    });

    test('getUser() returns the signed-in user from /user', async () => {
      const client = await auth.signedIn('acmeOwner');
      const { data, error } = await client.auth.getUser();
      expect(error).toBeNull();
      expect(data.user).toMatchObject({ id: USERS.acmeOwner.id, email: USERS.acmeOwner.email, role: 'authenticated' });
    });

    test('the access token is what RLS sees: auth.uid() and auth.jwt() resolve to the user and session', async () => {
      const client = await auth.signedIn('acmeWest');
      const token = (await client.auth.getSession()).data.session!.access_token;
      const claims = decodeJwt(token) as JwtClaims;
      const row = await withClaims(auth.stack.db, claims, async (tx) => {
        const { rows } = await tx.query<{ uid: string; role: string; session: string }>(
          `select auth.uid()::text as uid, auth.role() as role, auth.jwt() ->> 'session_id' as session`,
        );
        return rows[0];
      });
      expect(row).toEqual({ uid: USERS.acmeWest.id, role: 'authenticated', session: claims.session_id });
    });

    test('emails match case-insensitively, as in GoTrue', async () => {
      const { error } = await auth
        .client()
        .auth.signInWithPassword({ email: agent.email.toUpperCase(), password: FIXTURE_PASSWORD });
      expect(error).toBeNull();
    });

    test('a wrong password is refused with invalid_credentials and no session', async () => {
      const client = auth.client();
      const result = client.auth.signInWithPassword({ email: agent.email, password: 'not-the-password' });
      await expectAuthError(result, 400, 'invalid_credentials', 'Invalid login credentials');
      expect((await client.auth.getSession()).data.session).toBeNull();
    });

    test('an unknown user gets exactly the same refusal as a wrong password', async () => {
      const result = auth.client().auth.signInWithPassword({ email: 'nobody@acme.test', password: FIXTURE_PASSWORD });
      await expectAuthError(result, 400, 'invalid_credentials', 'Invalid login credentials');
    });

    test('missing email is a validation error', async () => {
      const result = auth.client().auth.signInWithPassword({ email: '', password: FIXTURE_PASSWORD });
      await expectAuthError(result, 400, 'validation_failed', 'missing email or phone');
    });

    test('an unconfirmed email is refused after the password check', async () => {
      const id = 'e0000000-0000-4000-8000-0000000000e1';
      await auth.stack.db.query(
        `insert into auth.users (id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
         values ($1, 'authenticated', 'authenticated', 'pending@acme.test', crypt($2, gen_salt('bf')), '{}', '{}', now(), now())`,
        [id, FIXTURE_PASSWORD],
      );
      const wrong = auth.client().auth.signInWithPassword({ email: 'pending@acme.test', password: 'nope' });
      await expectAuthError(wrong, 400, 'invalid_credentials', 'Invalid login credentials');
      const right = auth.client().auth.signInWithPassword({ email: 'pending@acme.test', password: FIXTURE_PASSWORD });
      await expectAuthError(right, 400, 'email_not_confirmed', 'Email not confirmed');
    });
  });

  describe('refresh tokens', () => {
    test('refreshSession() rotates: a new refresh token, and an access token for the same session', async () => {
      const client = await auth.signedIn('acmeAgent');
      const first = (await client.auth.getSession()).data.session!;
      const { data, error } = await client.auth.refreshSession();
      expect(error).toBeNull();
      const second = data.session!;
      expect(second.refresh_token).not.toBe(first.refresh_token);
      expect(decodeJwt(second.access_token).session_id).toBe(decodeJwt(first.access_token).session_id);
      expect((await client.auth.getUser(second.access_token)).data.user?.id).toBe(agent.id);

      const { rows } = await auth.stack.db.query<{ token: string; revoked: boolean; parent: string | null }>(
        `select token, revoked, parent from auth.refresh_tokens where token = any($1) order by id`,
        [[first.refresh_token, second.refresh_token]],
      );
      expect(rows).toEqual([
        { token: first.refresh_token, revoked: true, parent: null },
        { token: second.refresh_token, revoked: false, parent: first.refresh_token },
      ]);
    });

    test('the previous token still yields the current one (a client that lost the refresh response), never a third', async () => {
      const client = await auth.signedIn('acmeAgent');
      const first = (await client.auth.getSession()).data.session!.refresh_token;
      const second = (await client.auth.refreshSession()).data.session!.refresh_token;
      const retry = await auth.client().auth.refreshSession({ refresh_token: first });
      expect(retry.error).toBeNull();
      expect(retry.data.session!.refresh_token).toBe(second);
    });

    test('reusing an older token is refused as already used and revokes the whole session', async () => {
      const client = await auth.signedIn('acmeAgent');
      const first = (await client.auth.getSession()).data.session!.refresh_token;
      await client.auth.refreshSession();
      const third = (await client.auth.refreshSession()).data.session!.refresh_token;

      await expectAuthError(
        auth.client().auth.refreshSession({ refresh_token: first }),
        400,
        'refresh_token_already_used',
        'Invalid Refresh Token: Already Used',
      );
      // Reuse detection: the legitimate holder's newest token is gone too.
      await expectAuthError(
        auth.client().auth.refreshSession({ refresh_token: third }),
        400,
        'refresh_token_already_used',
        'Invalid Refresh Token: Already Used',
      );
    });

    test('an unknown refresh token is refresh_token_not_found', async () => {
      await expectAuthError(
        auth.client().auth.refreshSession({ refresh_token: 'abcdefghijkl' }),
        400,
        'refresh_token_not_found',
        'Invalid Refresh Token: Refresh Token Not Found',
      );
    });
  });

  describe('access tokens on /user', () => {
    test('an expired access token is refused with bad_jwt', async () => {
      const expired = await auth.token('acmeAgent', -30);
      const { data, error } = await auth.client().auth.getUser(expired);
      expect(data.user).toBeNull();
      expect(error).toBeInstanceOf(AuthApiError);
      expect(error).toMatchObject({
        status: 403,
        code: 'bad_jwt',
        message: 'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired',
      });
    });

    test('a token signed with another secret is refused with bad_jwt', async () => {
      const forged = await signJwt(
        { sub: agent.id, role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 600 },
        'another-secret-that-is-at-least-32-characters',
      );
      const { error } = await auth.client().auth.getUser(forged);
      expect(error).toMatchObject({
        status: 403,
        code: 'bad_jwt',
        message: 'invalid JWT: unable to parse or verify signature, token signature is invalid: signature is invalid',
      });
    });

    test('the anon key is not a user: no sub claim', async () => {
      const { error } = await auth.client().auth.getUser(auth.stack.config.anonKey);
      expect(error).toMatchObject({ status: 403, code: 'bad_jwt', message: 'invalid claim: missing sub claim' });
    });

    test('a valid token for a user that does not exist is user_not_found', async () => {
      const token = await auth.token('acmeAgent', 600, { sub: 'f0000000-0000-4000-8000-00000000000f' });
      const { error } = await auth.client().auth.getUser(token);
      expect(error).toMatchObject({
        status: 403,
        code: 'user_not_found',
        message: 'User from sub claim in JWT does not exist',
      });
    });

    test('without a Bearer token /user answers 401 no_authorization', async () => {
      const response = await auth.fetch('/auth/v1/user', {
        headers: { apikey: auth.stack.config.anonKey, 'x-supabase-api-version': '2024-01-01' },
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('x-supabase-api-version')).toBe('2024-01-01');
      expect(await response.json()).toEqual({
        code: 'no_authorization',
        message: 'This endpoint requires a valid Bearer token',
      });
    });
  });

  describe('logout', () => {
    test('signOut() revokes the refresh token; the old access token no longer finds its session', async () => {
      const client = await auth.signedIn('acmeOwner');
      const session = (await client.auth.getSession()).data.session!;
      expect((await client.auth.signOut()).error).toBeNull();
      expect((await client.auth.getSession()).data.session).toBeNull();

      await expectAuthError(
        auth.client().auth.refreshSession({ refresh_token: session.refresh_token }),
        400,
        'refresh_token_not_found',
        'Invalid Refresh Token: Refresh Token Not Found',
      );
      const { error } = await auth.client().auth.getUser(session.access_token);
      // GoTrue's session_not_found, which auth-js turns into "no session".
      expect(error).toBeInstanceOf(AuthSessionMissingError);
    });

    test("scope 'others' ends the user's other sessions and keeps this one; 'local' then ends this one", async () => {
      const here = await auth.signedIn('globexMember');
      const elsewhere = await auth.signedIn('globexMember');
      const elsewhereRefresh = (await elsewhere.auth.getSession()).data.session!.refresh_token;

      expect((await here.auth.signOut({ scope: 'others' })).error).toBeNull();
      await expectAuthError(
        auth.client().auth.refreshSession({ refresh_token: elsewhereRefresh }),
        400,
        'refresh_token_not_found',
        'Invalid Refresh Token: Refresh Token Not Found',
      );
      const refreshed = await here.auth.refreshSession();
      expect(refreshed.error).toBeNull();

      const hereRefresh = refreshed.data.session!.refresh_token;
      expect((await here.auth.signOut({ scope: 'local' })).error).toBeNull();
      await expectAuthError(
        auth.client().auth.refreshSession({ refresh_token: hereRefresh }),
        400,
        'refresh_token_not_found',
        'Invalid Refresh Token: Refresh Token Not Found',
      );
    });

    test('an unknown scope is a validation error', async () => {
      const client = await auth.signedIn('acmeAgent');
      const token = (await client.auth.getSession()).data.session!.access_token;
      const response = await auth.fetch('/auth/v1/logout?scope=everyone', {
        method: 'POST',
        headers: {
          apikey: auth.stack.config.anonKey,
          authorization: `Bearer ${token}`,
          'x-supabase-api-version': '2024-01-01',
        },
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        code: 'validation_failed',
        message: 'Unsupported logout scope "everyone"',
      });
    });
  });

  describe('wire details', () => {
    const body = JSON.stringify({ email: agent.email, password: 'wrong' });

    test("without an apikey the gateway refuses before Auth, as Supabase's gateway does", async () => {
      const response = await auth.fetch('/auth/v1/token?grant_type=password', { method: 'POST', body });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        message: 'No API key found in request',
        hint: 'No `apikey` request header or url param was found.',
      });
      const wrongKey = await auth.fetch('/auth/v1/settings', { headers: { apikey: 'not-a-key' } });
      expect(wrongKey.status).toBe(401);
      expect(await wrongKey.json()).toEqual({
        message: 'Invalid API key',
        hint: 'Double check your Supabase `anon` or `service_role` API key.',
      });
    });

    test('the new-style publishable key is accepted as the apikey', async () => {
      const response = await auth.fetch('/auth/v1/settings', { headers: { apikey: auth.stack.config.publishableKey } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ external: { email: true } });
    });

    test('clients without the API version header get the legacy error shape', async () => {
      const response = await auth.fetch('/auth/v1/token?grant_type=password', {
        method: 'POST',
        body,
        headers: { apikey: auth.stack.config.anonKey },
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('x-supabase-api-version')).toBeNull();
      expect(await response.json()).toEqual({
        code: 400,
        error_code: 'invalid_credentials',
        msg: 'Invalid login credentials',
      });
    });

    test('a body that is not JSON, or of the wrong shape, is bad_json; an unknown grant type is an OAuth error', async () => {
      const headers = { apikey: auth.stack.config.anonKey, 'x-supabase-api-version': '2024-01-01' };
      const notJson = await auth.fetch('/auth/v1/token?grant_type=password', {
        method: 'POST',
        body: '{"email":',
        headers,
      });
      expect(notJson.status).toBe(400);
      expect(await notJson.json()).toMatchObject({
        code: 'bad_json',
        message: expect.stringMatching(/^Could not parse request body as JSON: /),
      });

      const wrongType = await auth.fetch('/auth/v1/token?grant_type=password', {
        method: 'POST',
        body: '{"email": 42}',
        headers,
      });
      // Go's JSON decoder refuses a number for a string field before GoTrue looks at the values.
      expect(wrongType.status).toBe(400);
      expect(await wrongType.json()).toMatchObject({
        code: 'bad_json',
        message: expect.stringContaining('email'),
      });

      const grant = await auth.fetch('/auth/v1/token?grant_type=magic', { method: 'POST', body: '{}', headers });
      expect(grant.status).toBe(400);
      expect(await grant.json()).toEqual({ error: 'unsupported_grant_type' });
    });

    test('injection-looking input is only ever a value: it finds no user', async () => {
      const result = auth.client().auth.signInWithPassword({ email: `' or '1'='1`, password: `' or '1'='1` });
      await expectAuthError(result, 400, 'invalid_credentials', 'Invalid login credentials');
    });

    test('GET /health answers like GoTrue', async () => {
      const response = await auth.fetch('/auth/v1/health', { headers: { apikey: auth.stack.config.anonKey } });
      expect(await response.json()).toMatchObject({ name: 'GoTrue' });
    });
  });
});

describe.each(BACKENDS)('/auth/v1 with short-lived access tokens on %s', (backend) => {
  let auth: AuthStack;

  beforeAll(async () => {
    // auth-js refreshes any session within 90 s of expiry when it is read, so a 60 s lifetime
    // makes every getSession() go through supabase-js's own refresh path — no waiting for a clock.
    auth = await startAuthStack(backend, { jwtExpirySeconds: 60 });
  });
  afterAll(async () => {
    await auth?.stop();
  });

  test('supabase-js refreshes a session about to expire on its own, through the rotating refresh grant', async () => {
    const client = auth.client();
    const refreshed: string[] = [];
    client.auth.onAuthStateChange((event, session) => {
      if (event === 'TOKEN_REFRESHED' && session) refreshed.push(session.refresh_token);
    });
    const signIn = await client.auth.signInWithPassword({ email: agent.email, password: FIXTURE_PASSWORD });
    expect(signIn.data.session?.expires_in).toBe(60);

    const first = (await client.auth.getSession()).data.session!;
    expect(first.refresh_token).not.toBe(signIn.data.session!.refresh_token);
    const second = (await client.auth.getSession()).data.session!;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(refreshed).toEqual([first.refresh_token, second.refresh_token]);
    expect((await client.auth.getUser()).data.user?.id).toBe(agent.id);
  });
});
