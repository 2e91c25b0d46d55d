/**
 * `POST /auth/v1/signup` through supabase-js's `auth.signUp`, with confirmations off (the default,
 * as `supabase start` runs with this project's config.toml): a session at once, the user's
 * metadata, identity and profile, and Supabase Auth's refusals (statuses, codes and messages as
 * `AuthApiError` surfaces them). Runs on PGlite and PostgreSQL.
 */
import { AuthApiError, AuthWeakPasswordError } from '@supabase/supabase-js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { withClaims } from '../../local-stack/db/index.ts';
import { USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { startAuthStack, type AuthStack } from '../_support/auth-stack.ts';

const PASSWORD = 'correct horse battery';
let counter = 0;
/** A fresh address per test, so tests never depend on each other's users. */
const newEmail = (label: string) => `${label}-${++counter}-${Date.now()}@signup.test`;

describe.each(BACKENDS)('auth.signUp on %s', (backend) => {
  let auth: AuthStack;

  beforeAll(async () => {
    // More sign-ups than Supabase's burst of 30 happen here; auth-signup-limits tests the limit.
    auth = await startAuthStack(backend, { auth: { rateLimitSignUps: 10_000 } });
  });
  afterAll(async () => {
    await auth?.stop();
  });

  async function expectAuthError(result: Promise<{ error: unknown }>, status: number, code: string, message: string) {
    const { error } = await result;
    expect(error).toBeInstanceOf(AuthApiError);
    expect(error).toMatchObject({ status, code, message });
  }

  async function profileOf(userId: string): Promise<{ display_name: string } | undefined> {
    const { rows } = await auth.stack.db.query<{ display_name: string }>(
      'select display_name from public.profiles where user_id = $1',
      [userId],
    );
    return rows[0];
  }

  test('returns a session at once, with the data as user_metadata, an email identity and a profile named from it', async () => {
    const email = newEmail('ada');
    const client = auth.client();
    const { data, error } = await client.auth.signUp({
      email,
      password: PASSWORD,
      options: { data: { display_name: 'Ada Lovelace', team: 'west' } },
    });
    expect(error).toBeNull();
    const { user, session } = data;
    expect(session).not.toBeNull();
    expect(session).toMatchObject({ token_type: 'bearer', expires_in: auth.stack.config.jwtExpirySeconds });
    expect(session!.refresh_token).toMatch(/^[a-z0-9]{12}$/);
    expect(user).toMatchObject({
      aud: 'authenticated',
      role: 'authenticated',
      email,
      phone: '',
      app_metadata: { provider: 'email', providers: ['email'] },
      // GoTrue's Confirm() adds email_verified to the metadata of an auto-confirmed user.
      user_metadata: { display_name: 'Ada Lovelace', team: 'west', email_verified: true },
      is_anonymous: false,
    });
    expect(user!.email_confirmed_at).toBeTruthy();
    expect(user!.confirmed_at).toBe(user!.email_confirmed_at);
    expect(user!.last_sign_in_at).toBeTruthy();
    expect(user!.identities).toEqual([
      expect.objectContaining({
        id: user!.id,
        identity_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        user_id: user!.id,
        provider: 'email',
        email,
        identity_data: {
          sub: user!.id,
          email,
          email_verified: false,
          phone_verified: false,
          display_name: 'Ada Lovelace',
          team: 'west',
        },
      }),
    ]);
    const claims = decodeJwt(session!.access_token);
    expect(claims).toMatchObject({ sub: user!.id, email, role: 'authenticated', aal: 'aal1' });
    expect(claims.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);

    // The session is real: the client is signed in, /user answers, and RLS sees the new user.
    expect((await client.auth.getUser()).data.user?.id).toBe(user!.id);
    expect(await profileOf(user!.id)).toEqual({ display_name: 'Ada Lovelace' });
    const uid = await withClaims(auth.stack.db, claims as never, async (tx) => {
      const { rows } = await tx.query<{ uid: string }>('select auth.uid()::text as uid');
      return rows[0]?.uid;
    });
    expect(uid).toBe(user!.id);

    // And the password signs in later.
    const again = await auth.client().auth.signInWithPassword({ email, password: PASSWORD });
    expect(again.error).toBeNull();
    expect(again.data.user?.id).toBe(user!.id);
  });

  test('the address is stored lower-cased; without a display name the profile takes its local part', async () => {
    const email = newEmail('Grace.Hopper');
    const { data, error } = await auth.client().auth.signUp({ email: email.toUpperCase(), password: PASSWORD });
    expect(error).toBeNull();
    expect(data.user?.email).toBe(email.toLowerCase());
    expect(data.user?.user_metadata).toEqual({ email_verified: true });
    expect(await profileOf(data.user!.id)).toEqual({ display_name: email.toLowerCase().split('@')[0] });
  });

  test('a registered address is refused with 422 user_already_exists, whatever its case, and nothing changes', async () => {
    const email = newEmail('twice');
    const first = await auth.client().auth.signUp({ email, password: PASSWORD });
    expect(first.error).toBeNull();
    await expectAuthError(
      auth.client().auth.signUp({ email: email.toUpperCase(), password: 'another password' }),
      422,
      'user_already_exists',
      'User already registered',
    );
    // The original password still works; the second one never became the password.
    expect((await auth.client().auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
    const other = await auth.client().auth.signInWithPassword({ email, password: 'another password' });
    expect(other.error).toMatchObject({ status: 400, code: 'invalid_credentials' });
    // The fixture users are registered too.
    await expectAuthError(
      auth.client().auth.signUp({ email: USERS.acmeOwner.email, password: PASSWORD }),
      422,
      'user_already_exists',
      'User already registered',
    );
  });

  test('a short password is 422 weak_password with its reasons, as AuthWeakPasswordError', async () => {
    const email = newEmail('weak');
    const { data, error } = await auth.client().auth.signUp({ email, password: '12345' });
    expect(error).toBeInstanceOf(AuthWeakPasswordError);
    expect(error).toMatchObject({
      status: 422,
      code: 'weak_password',
      message: 'Password should be at least 6 characters.',
      reasons: ['length'],
    });
    expect(data.user).toBeNull();
    const { rows } = await auth.stack.db.query('select 1 from auth.users where email = $1', [email]);
    expect(rows).toHaveLength(0);
  });

  test('password and address refusals: missing, too long, malformed, phone sign-ups', async () => {
    const client = auth.client();
    await expectAuthError(
      client.auth.signUp({ email: newEmail('nopw'), password: '' }),
      400,
      'validation_failed',
      'Signup requires a valid password',
    );
    await expectAuthError(
      client.auth.signUp({ email: newEmail('long'), password: 'x'.repeat(73) }),
      400,
      'validation_failed',
      'Password cannot be longer than 72 characters',
    );
    for (const email of ['not-an-email', 'a@b@c.test', 'spaces in@acme.test', '@acme.test', 'x@-acme.test']) {
      await expectAuthError(
        client.auth.signUp({ email, password: PASSWORD }),
        400,
        'validation_failed',
        'Unable to validate email address: invalid format',
      );
    }
    await expectAuthError(
      client.auth.signUp({ email: `${'a'.repeat(250)}@x.test`, password: PASSWORD }),
      400,
      'validation_failed',
      'An email address is too long',
    );
    await expectAuthError(
      client.auth.signUp({ phone: '+15555550100', password: PASSWORD }),
      400,
      'phone_provider_disabled',
      'Phone signups are disabled',
    );
  });

  describe('on the wire', () => {
    const headers = () => ({
      apikey: auth.stack.config.anonKey,
      'content-type': 'application/json',
      'x-supabase-api-version': '2024-01-01',
    });
    async function post(body: BodyInit): Promise<{ status: number; body: unknown; code: string | null }> {
      const response = await auth.fetch('/auth/v1/signup', { method: 'POST', headers: headers(), body });
      return { status: response.status, body: await response.json(), code: response.headers.get('x-sb-error-code') };
    }

    test('malformed, mistyped and oversized bodies are GoTrue refusals naming the problem, never a 500', async () => {
      expect(await post('{"email": "a@b.test", "password": ')).toEqual({
        status: 400,
        body: { code: 'bad_json', message: expect.stringMatching(/^Could not parse request body as JSON: /) },
        code: 'bad_json',
      });
      expect(await post('')).toEqual({
        status: 400,
        body: { code: 'bad_json', message: 'Could not parse request body as JSON: unexpected end of JSON input' },
        code: 'bad_json',
      });
      expect(await post(JSON.stringify({ email: 42, password: PASSWORD }))).toMatchObject({
        status: 400,
        body: { code: 'bad_json', message: expect.stringContaining('email: ') },
      });
      expect(await post(JSON.stringify({ email: newEmail('data'), password: PASSWORD, data: ['x'] }))).toMatchObject({
        status: 400,
        body: { code: 'bad_json', message: expect.stringContaining('data: ') },
      });
      expect(await post(JSON.stringify(['a@b.test']))).toMatchObject({ status: 400, body: { code: 'bad_json' } });
      // Over GoTrue's 1 MiB body limit, however it is made up.
      const huge = JSON.stringify({ email: newEmail('huge'), password: PASSWORD, data: { blob: 'x'.repeat(1 << 20) } });
      expect(await post(huge)).toEqual({
        status: 413,
        body: { code: 'request_entity_too_large', message: 'Request body too large (max 1048576 bytes)' },
        code: 'request_entity_too_large',
      });
    });

    test('a weak password carries weak_password.reasons in both error shapes', async () => {
      const body = JSON.stringify({ email: newEmail('shape'), password: 'abc' });
      const current = await post(body);
      expect(current).toEqual({
        status: 422,
        body: {
          code: 'weak_password',
          message: 'Password should be at least 6 characters.',
          weak_password: { reasons: ['length'] },
        },
        code: null,
      });
      const legacy = await auth.fetch('/auth/v1/signup', {
        method: 'POST',
        headers: { apikey: auth.stack.config.anonKey },
        body,
      });
      expect(legacy.status).toBe(422);
      expect(await legacy.json()).toEqual({
        code: 422,
        error_code: 'weak_password',
        msg: 'Password should be at least 6 characters.',
        weak_password: { reasons: ['length'] },
      });
    });

    test('neither email nor phone asks for an anonymous sign-in, which is off', async () => {
      expect(await post(JSON.stringify({ password: PASSWORD }))).toEqual({
        status: 422,
        body: { code: 'anonymous_provider_disabled', message: 'Anonymous sign-ins are disabled' },
        code: 'anonymous_provider_disabled',
      });
    });

    test('email and phone together are refused; SQL in the address is only ever a value', async () => {
      expect(
        await post(JSON.stringify({ email: newEmail('both'), phone: '+15555550100', password: PASSWORD })),
      ).toEqual({
        status: 400,
        body: {
          code: 'validation_failed',
          message: 'Only an email address or phone number should be provided on signup.',
        },
        code: 'validation_failed',
      });
      const injected = await post(JSON.stringify({ email: `x'or'1'='1@acme.test`, password: PASSWORD }));
      expect(injected.status).toBe(200);
      const { rows } = await auth.stack.db.query<{ n: number }>('select count(*)::int as n from auth.users');
      expect(rows[0]!.n).toBeGreaterThan(4);
    });

    test('without an API key the gateway refuses before Auth sees the sign-up', async () => {
      const response = await auth.fetch('/auth/v1/signup', {
        method: 'POST',
        body: JSON.stringify({ email: newEmail('nokey'), password: PASSWORD }),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        message: 'No API key found in request',
        hint: 'No `apikey` request header or url param was found.',
      });
    });
  });

  test('GET /settings reports sign-ups on and confirmations off, as config.toml says', async () => {
    const response = await auth.fetch('/auth/v1/settings', { headers: { apikey: auth.stack.config.anonKey } });
    expect(await response.json()).toMatchObject({
      disable_signup: false,
      mailer_autoconfirm: true,
      external: { email: true, phone: false, anonymous_users: false },
    });
  });
});

describe.each(BACKENDS)('auth.signUp switched off on %s', (backend) => {
  let auth: AuthStack;
  beforeAll(async () => {
    auth = await startAuthStack(backend, { auth: { enableSignup: false } });
  });
  afterAll(async () => {
    await auth?.stop();
  });

  test('is refused with 422 signup_disabled, and /settings says so', async () => {
    const { data, error } = await auth.client().auth.signUp({ email: newEmail('closed'), password: PASSWORD });
    expect(error).toBeInstanceOf(AuthApiError);
    expect(error).toMatchObject({
      status: 422,
      code: 'signup_disabled',
      message: 'Signups not allowed for this instance',
    });
    expect(data.user).toBeNull();
    const settings = await auth.fetch('/auth/v1/settings', { headers: { apikey: auth.stack.config.anonKey } });
    expect(await settings.json()).toMatchObject({ disable_signup: true });
  });
});
