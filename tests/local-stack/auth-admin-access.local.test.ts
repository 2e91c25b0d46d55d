/**
 * Who may use Auth's admin API, from the attacker's side: the anon key, a signed-in user's token,
 * a forged or expired service-role token, a token of a signed-out session, no token at all. Each
 * is refused as Supabase Auth refuses it, and nothing is created, changed, deleted or disclosed
 * (the local inbox included). Runs on PGlite and PostgreSQL.
 */
import { AuthApiError, createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signJwt } from '../../local-stack/index.ts';
import { USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { startAuthStack, type AuthStack } from '../_support/auth-stack.ts';

const NOT_ADMIN = { status: 403, code: 'not_admin', message: 'User not allowed' };

describe.each(BACKENDS)('auth.admin refusals on %s', (backend) => {
  let auth: AuthStack;

  beforeAll(async () => {
    auth = await startAuthStack(backend);
  });
  afterAll(async () => {
    await auth?.stop();
  });

  /** A client whose requests carry `token` as the bearer, as a server would forward a user's token. */
  function clientWithBearer(token: string): SupabaseClient {
    return createClient(auth.stack.url, auth.stack.config.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { headers: { Authorization: `Bearer ${token}` } },
    });
  }

  async function userCount(): Promise<number> {
    const { rows } = await auth.stack.db.query<{ n: number }>('select count(*)::int as n from auth.users');
    return rows[0]!.n;
  }

  /** Every admin call an app makes, with its arguments; none of them may succeed for `client`. */
  function everyAdminCall(client: SupabaseClient) {
    const victim = USERS.acmeWest.id;
    return {
      createUser: client.auth.admin.createUser({
        email: 'intruder@evil.test',
        password: 'pw-123456',
        email_confirm: true,
      }),
      listUsers: client.auth.admin.listUsers(),
      getUserById: client.auth.admin.getUserById(victim),
      updateUserById: client.auth.admin.updateUserById(victim, {
        password: 'taken over',
        app_metadata: { admin: true },
      }),
      deleteUser: client.auth.admin.deleteUser(victim),
      inviteUserByEmail: client.auth.admin.inviteUserByEmail('intruder@evil.test'),
      generateLink: client.auth.admin.generateLink({ type: 'invite', email: 'intruder@evil.test' }),
    };
  }

  async function expectAllRefused(client: SupabaseClient, expected: { status: number; code: string; message: string }) {
    const before = await userCount();
    for (const [name, call] of Object.entries(everyAdminCall(client))) {
      const { error } = await call;
      expect(error, name).toBeInstanceOf(AuthApiError);
      expect(error, name).toMatchObject(expected);
    }
    expect(await userCount()).toBe(before);
    // The victim is untouched: same password, no admin flag.
    const victim = await auth.signedIn('acmeWest');
    expect((await victim.auth.getUser()).data.user?.app_metadata).not.toHaveProperty('admin');
  }

  test('the anon key is not an admin: every call is 403 not_admin and changes nothing', async () => {
    await expectAllRefused(auth.client(), NOT_ADMIN);
    // supabase-js's deleteUser stops at its getUserById; the DELETE itself is refused as well.
    const key = auth.stack.config.anonKey;
    const response = await auth.fetch(`/auth/v1/admin/users/${USERS.acmeWest.id}`, {
      method: 'DELETE',
      headers: { apikey: key, authorization: `Bearer ${key}`, 'x-supabase-api-version': '2024-01-01' },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ code: 'not_admin', message: 'User not allowed' });
    expect((await auth.admin().auth.admin.getUserById(USERS.acmeWest.id)).data.user?.id).toBe(USERS.acmeWest.id);
  });

  test("a signed-in user's token is not an admin either, even an owner's", async () => {
    const owner = await auth.signedIn('acmeOwner');
    const token = (await owner.auth.getSession()).data.session!.access_token;
    await expectAllRefused(clientWithBearer(token), NOT_ADMIN);
  });

  test('the publishable key is refused; the secret key is the service role', async () => {
    await expectAllRefused(auth.client(auth.stack.config.publishableKey), NOT_ADMIN);
    const { data, error } = await auth.client(auth.stack.config.secretKey).auth.admin.listUsers();
    expect(error).toBeNull();
    expect(data.users.length).toBeGreaterThanOrEqual(4);
  });

  test('a service-role token signed with another secret, or expired, is 403 bad_jwt', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const forged = await signJwt(
      { role: 'service_role', iss: 'supabase-demo', exp },
      'not-the-project-secret-at-all-0123456789',
    );
    await expectAllRefused(clientWithBearer(forged), {
      status: 403,
      code: 'bad_jwt',
      message: 'invalid JWT: unable to parse or verify signature, token signature is invalid: signature is invalid',
    });
    const expired = await signJwt({ role: 'service_role', exp: exp - 7200 }, auth.stack.config.jwtSecret);
    await expectAllRefused(clientWithBearer(expired), {
      status: 403,
      code: 'bad_jwt',
      message: 'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired',
    });
  });

  test("a user's token with its role rewritten to service_role fails the signature", async () => {
    const owner = await auth.signedIn('acmeOwner');
    const token = (await owner.auth.getSession()).data.session!.access_token;
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'service_role' })).toString('base64url')}.${signature}`;
    const { error } = await clientWithBearer(tampered).auth.admin.listUsers();
    expect(error).toMatchObject({ status: 403, code: 'bad_jwt' });
  });

  test('the wire: no bearer is 401 no_authorization; a signed-out session is 403 session_not_found', async () => {
    const headers = { apikey: auth.stack.config.anonKey, 'x-supabase-api-version': '2024-01-01' };
    const none = await auth.fetch('/auth/v1/admin/users', { headers });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({
      code: 'no_authorization',
      message: 'This endpoint requires a valid Bearer token',
    });

    const member = await auth.signedIn('acmeAgent');
    const token = (await member.auth.getSession()).data.session!.access_token;
    await member.auth.signOut();
    const stale = await auth.fetch('/auth/v1/admin/users', {
      headers: { ...headers, authorization: `Bearer ${token}` },
    });
    expect(stale.status).toBe(403);
    expect(await stale.json()).toEqual({
      code: 'session_not_found',
      message: 'Session from session_id claim in JWT does not exist',
    });
  });

  test('the local inbox, which holds sign-in links, is as closed as the admin API', async () => {
    const invited = await auth.admin().auth.admin.inviteUserByEmail('inbox-secret@acme.test');
    expect(invited.error).toBeNull();
    const owner = await auth.signedIn('acmeOwner');
    const userToken = (await owner.auth.getSession()).data.session!.access_token;
    const anonKey = auth.stack.config.anonKey;
    for (const [bearer, status, code] of [
      [anonKey, 403, 'not_admin'],
      [userToken, 403, 'not_admin'],
    ] as const) {
      const response = await auth.fetch('/auth/v1/_inbox?email=inbox-secret@acme.test', {
        headers: { apikey: anonKey, authorization: `Bearer ${bearer}`, 'x-supabase-api-version': '2024-01-01' },
      });
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ code });
    }
    const noKey = await auth.fetch('/auth/v1/_inbox');
    expect(noKey.status).toBe(401);
    const cleared = await auth.fetch('/auth/v1/_inbox', {
      method: 'DELETE',
      headers: { apikey: anonKey, authorization: `Bearer ${anonKey}` },
    });
    expect(cleared.status).toBe(403);
    expect(await auth.inbox('inbox-secret@acme.test')).toHaveLength(1);
  });

  test('a user cannot give themselves app_metadata through PUT /user', async () => {
    const west = await auth.signedIn('acmeWest');
    const { error } = await west.auth.updateUser({ data: { display_name: 'x' } });
    expect(error).toBeNull();
    const key = auth.stack.config.anonKey;
    const token = (await west.auth.getSession()).data.session!.access_token;
    const response = await auth.fetch('/auth/v1/user', {
      method: 'PUT',
      headers: { apikey: key, authorization: `Bearer ${token}`, 'x-supabase-api-version': '2024-01-01' },
      body: JSON.stringify({ app_metadata: { role: 'admin' } }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      code: 'not_admin',
      message: 'Updating app_metadata requires admin privileges',
    });
    expect((await west.auth.getUser()).data.user?.app_metadata).toEqual({ provider: 'email', providers: ['email'] });
  });
});
