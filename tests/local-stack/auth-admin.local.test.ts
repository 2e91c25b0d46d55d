/**
 * The admin user API through supabase-js's `auth.admin` with the service-role key, as a server
 * calls it: createUser, listUsers (pages and totals), getUserById, updateUserById, deleteUser
 * (hard, cascading; soft) — with Supabase Auth's statuses and codes. Runs on PGlite and PostgreSQL.
 * Who may call it (attackers) is in auth-admin-access.local.test.ts.
 */
import { AuthApiError, AuthWeakPasswordError, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ORGS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { startAuthStack, type AuthStack } from '../_support/auth-stack.ts';

const PASSWORD = 'admin-made password';
let counter = 0;
const newEmail = (label: string) => `${label}-${++counter}-${Date.now()}@admin.test`;

describe.each(BACKENDS)('auth.admin on %s', (backend) => {
  let auth: AuthStack;
  let admin: SupabaseClient;

  beforeAll(async () => {
    auth = await startAuthStack(backend, { authRateLimitToken: 10_000 });
    admin = auth.admin();
  });
  afterAll(async () => {
    await auth?.stop();
  });

  async function expectAuthError(result: Promise<{ error: unknown }>, status: number, code: string, message: string) {
    const { error } = await result;
    expect(error).toBeInstanceOf(AuthApiError);
    expect(error).toMatchObject({ status, code, message });
  }

  async function count(sql: string, params: unknown[]): Promise<number> {
    const { rows } = await auth.stack.db.query<{ n: number }>(`select count(*)::int as n from ${sql}`, params);
    return rows[0]!.n;
  }

  describe('createUser', () => {
    test('with email_confirm: a user who can sign in, with metadata, app metadata, an identity and a profile', async () => {
      const email = newEmail('made');
      const { data, error } = await admin.auth.admin.createUser({
        email,
        password: PASSWORD,
        email_confirm: true,
        user_metadata: { display_name: 'Mo Made' },
        app_metadata: { plan: 'team' },
      });
      expect(error).toBeNull();
      const user = data.user!;
      expect(user).toMatchObject({
        email,
        aud: 'authenticated',
        role: 'authenticated',
        app_metadata: { provider: 'email', providers: ['email'], plan: 'team' },
        user_metadata: { display_name: 'Mo Made', email_verified: true },
        identities: [expect.objectContaining({ provider: 'email', id: user.id, email })],
      });
      expect(user.email_confirmed_at).toBeTruthy();
      expect(user.last_sign_in_at).toBeUndefined();
      const { rows } = await auth.stack.db.query('select display_name from public.profiles where user_id = $1', [
        user.id,
      ]);
      expect(rows).toEqual([{ display_name: 'Mo Made' }]);
      const signIn = await auth.client().auth.signInWithPassword({ email, password: PASSWORD });
      expect(signIn.error).toBeNull();
      expect(signIn.data.user?.app_metadata).toMatchObject({ plan: 'team' });
    });

    test('without email_confirm the user exists but cannot sign in until confirmed', async () => {
      const email = newEmail('unconfirmed');
      const { data, error } = await admin.auth.admin.createUser({ email, password: PASSWORD });
      expect(error).toBeNull();
      expect(data.user?.email_confirmed_at).toBeUndefined();
      await expectAuthError(
        auth.client().auth.signInWithPassword({ email, password: PASSWORD }),
        400,
        'email_not_confirmed',
        'Email not confirmed',
      );
      // Confirming it later (updateUserById) lets the same password in.
      expect((await admin.auth.admin.updateUserById(data.user!.id, { email_confirm: true })).error).toBeNull();
      expect((await auth.client().auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
    });

    test('an admin may set any password up to 72 bytes; a custom id is kept', async () => {
      const id = 'c1a5e000-0000-4000-8000-000000000abc';
      const { data, error } = await admin.auth.admin.createUser({
        id,
        email: newEmail('short'),
        password: '1',
        email_confirm: true,
      });
      expect(error).toBeNull();
      expect(data.user?.id).toBe(id);
      await expectAuthError(
        admin.auth.admin.createUser({ email: newEmail('long'), password: 'x'.repeat(73) }),
        400,
        'validation_failed',
        'bcrypt: password length exceeds 72 bytes',
      );
    });

    test('refusals: a registered address, no address, a bad address, a bad id, password and hash together', async () => {
      await expectAuthError(
        admin.auth.admin.createUser({ email: USERS.acmeWest.email.toUpperCase(), password: PASSWORD }),
        422,
        'email_exists',
        'A user with this email address has already been registered',
      );
      await expectAuthError(
        admin.auth.admin.createUser({ password: PASSWORD }),
        400,
        'validation_failed',
        'Cannot create a user without either an email or phone',
      );
      await expectAuthError(
        admin.auth.admin.createUser({ email: 'not an address', password: PASSWORD }),
        400,
        'validation_failed',
        'Unable to validate email address: invalid format',
      );
      await expectAuthError(
        admin.auth.admin.createUser({ id: 'not-a-uuid', email: newEmail('badid') }),
        400,
        'validation_failed',
        'ID must conform to the uuid v4 format',
      );
      await expectAuthError(
        admin.auth.admin.createUser({ email: newEmail('both'), password: PASSWORD, password_hash: '$2a$10$x' }),
        400,
        'validation_failed',
        'Only a password or a password hash should be provided',
      );
    });
  });

  describe('listUsers', () => {
    test('pages newest first with the total, next and last page that supabase-js reads from the headers', async () => {
      for (let i = 0; i < 3; i++) {
        expect((await admin.auth.admin.createUser({ email: newEmail('page'), email_confirm: true })).error).toBeNull();
      }
      const total = await count('auth.users', []);
      const first = await admin.auth.admin.listUsers({ page: 1, perPage: 2 });
      expect(first.error).toBeNull();
      expect(first.data).toMatchObject({ aud: 'authenticated', total, nextPage: 2, lastPage: Math.ceil(total / 2) });
      expect(first.data.users).toHaveLength(2);
      const [a, b] = first.data.users;
      expect(new Date(a!.created_at).getTime()).toBeGreaterThanOrEqual(new Date(b!.created_at).getTime());

      const second = await admin.auth.admin.listUsers({ page: 2, perPage: 2 });
      expect(second.data.users.map((u) => u.id)).not.toContain(a!.id);

      // Every user, once: pages cover the table.
      const all = await admin.auth.admin.listUsers({ page: 1, perPage: 1000 });
      expect(all.data.users).toHaveLength(total);
      expect(new Set(all.data.users.map((u) => u.id)).size).toBe(total);
      expect(all.data.users.map((u) => u.email)).toContain(USERS.acmeOwner.email);
    });

    test('the wire: Link and X-Total-Count as GoTrue writes them, and bad paging parameters', async () => {
      const key = auth.stack.config.serviceRoleKey;
      const headers = { apikey: key, authorization: `Bearer ${key}`, 'x-supabase-api-version': '2024-01-01' };
      const total = await count('auth.users', []);
      const response = await auth.fetch('/auth/v1/admin/users?per_page=1&page=1', { headers });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-total-count')).toBe(String(total));
      expect(response.headers.get('link')).toBe(
        `</admin/users?page=2&per_page=1>; rel="next", </admin/users?page=${total}&per_page=1>; rel="last"`,
      );
      const last = await auth.fetch(`/auth/v1/admin/users?per_page=1&page=${total}`, { headers });
      expect(last.headers.get('link')).toBe(`</admin/users?page=${total}&per_page=1>; rel="last"`);

      const bad = await auth.fetch('/auth/v1/admin/users?page=two', { headers });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({
        code: 'validation_failed',
        message: 'Bad Pagination Parameters: strconv.ParseUint: parsing "two": invalid syntax',
      });
      const sorted = await auth.fetch('/auth/v1/admin/users?sort=email%20asc', { headers });
      expect(sorted.status).toBe(400);
      expect(await sorted.json()).toMatchObject({ message: "Bad Sort Parameters: bad field for sort 'email'" });
    });
  });

  describe('getUserById and updateUserById', () => {
    test('get answers the user; an unknown id is 404 user_not_found, a malformed one 404 too', async () => {
      const { data, error } = await admin.auth.admin.getUserById(USERS.acmeWest.id);
      expect(error).toBeNull();
      expect(data.user).toMatchObject({ id: USERS.acmeWest.id, email: USERS.acmeWest.email });
      await expectAuthError(
        admin.auth.admin.getUserById('00000000-0000-4000-8000-00000000dead'),
        404,
        'user_not_found',
        'User not found',
      );
      const key = auth.stack.config.serviceRoleKey;
      const malformed = await auth.fetch('/auth/v1/admin/users/not-a-uuid', {
        headers: { apikey: key, authorization: `Bearer ${key}`, 'x-supabase-api-version': '2024-01-01' },
      });
      expect(malformed.status).toBe(404);
      expect(await malformed.json()).toEqual({ code: 'validation_failed', message: 'user_id must be an UUID' });
    });

    test('metadata merges (null removes a key); a new password ends every session of the user', async () => {
      const email = newEmail('update');
      const created = await admin.auth.admin.createUser({
        email,
        password: PASSWORD,
        email_confirm: true,
        user_metadata: { display_name: 'Up Date', keep: 1, drop: 2 },
      });
      const id = created.data.user!.id;
      const client = auth.client();
      expect((await client.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();

      const updated = await admin.auth.admin.updateUserById(id, {
        user_metadata: { drop: null, added: 'yes' },
        app_metadata: { role_hint: 'editor' },
        password: 'a brand new password',
      });
      expect(updated.error).toBeNull();
      expect(updated.data.user?.user_metadata).toEqual({
        display_name: 'Up Date',
        keep: 1,
        added: 'yes',
        email_verified: true,
      });
      expect(updated.data.user?.app_metadata).toMatchObject({ role_hint: 'editor', provider: 'email' });

      // The old session's refresh token is gone with the session; the new password signs in.
      const refresh = await client.auth.refreshSession();
      expect(refresh.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
      const oldPassword = await auth.client().auth.signInWithPassword({ email, password: PASSWORD });
      expect(oldPassword.error).toMatchObject({ code: 'invalid_credentials' });
      expect(
        (await auth.client().auth.signInWithPassword({ email, password: 'a brand new password' })).error,
      ).toBeNull();
    });

    test('a weak new password is 422 weak_password; a ban refuses sign-in until lifted', async () => {
      const email = newEmail('ban');
      const id = (await admin.auth.admin.createUser({ email, password: PASSWORD, email_confirm: true })).data.user!.id;
      const weak = await admin.auth.admin.updateUserById(id, { password: '123' });
      expect(weak.error).toBeInstanceOf(AuthWeakPasswordError);
      expect(weak.error).toMatchObject({ status: 422, code: 'weak_password', reasons: ['length'] });

      const banned = await admin.auth.admin.updateUserById(id, { ban_duration: '24h' });
      expect(banned.error).toBeNull();
      expect(new Date(banned.data.user!.banned_until!).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
      await expectAuthError(
        auth.client().auth.signInWithPassword({ email, password: PASSWORD }),
        400,
        'user_banned',
        'User is banned',
      );
      await expectAuthError(
        admin.auth.admin.updateUserById(id, { ban_duration: 'forever' }),
        400,
        'validation_failed',
        'invalid format for ban duration: time: invalid duration "forever"',
      );
      expect((await admin.auth.admin.updateUserById(id, { ban_duration: 'none' })).data.user?.banned_until).toBe(
        undefined,
      );
      expect((await auth.client().auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
    });

    test("taking another user's address fails the write as GoTrue's does (500, nothing changed)", async () => {
      const email = newEmail('taken');
      const id = (await admin.auth.admin.createUser({ email, email_confirm: true })).data.user!.id;
      const { error } = await admin.auth.admin.updateUserById(id, { email: USERS.acmeOwner.email });
      // supabase-js surfaces any 5xx as a retryable fetch error with the status.
      expect(error).toMatchObject({ status: 500, message: 'Error updating user' });
      expect((await admin.auth.admin.getUserById(id)).data.user?.email).toBe(email);
    });
  });

  describe('deleteUser', () => {
    test('removes the user and cascades: identities, sessions, profile and memberships go with it', async () => {
      const email = newEmail('gone');
      const id = (await admin.auth.admin.createUser({ email, password: PASSWORD, email_confirm: true })).data.user!.id;
      await auth.stack.db.query(
        `insert into public.organization_members (organization_id, user_id, role, territories) values ($1, $2, 'member', '{}')`,
        [ORGS.acme.id, id],
      );
      const client = auth.client();
      expect((await client.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();

      const { data, error } = await admin.auth.admin.deleteUser(id);
      expect(error).toBeNull();
      expect(data.user?.id).toBe(id);
      for (const table of [
        'auth.users where id = $1',
        'auth.identities where user_id = $1',
        'auth.sessions where user_id = $1',
        'public.profiles where user_id = $1',
        'public.organization_members where user_id = $1',
      ]) {
        expect(await count(table, [id])).toBe(0);
      }
      expect((await client.auth.refreshSession()).error).toMatchObject({ code: 'refresh_token_not_found' });
      await expectAuthError(admin.auth.admin.getUserById(id), 404, 'user_not_found', 'User not found');
      await expectAuthError(admin.auth.admin.deleteUser(id), 404, 'user_not_found', 'User not found');
      // The address is free again.
      expect((await auth.client().auth.signUp({ email, password: PASSWORD })).error).toBeNull();
    });

    test('should_soft_delete keeps an obfuscated row without password or sessions; the address is free', async () => {
      const email = newEmail('soft');
      const id = (
        await admin.auth.admin.createUser({
          email,
          password: PASSWORD,
          email_confirm: true,
          user_metadata: { display_name: 'Soft' },
        })
      ).data.user!.id;
      expect((await admin.auth.admin.deleteUser(id, true)).error).toBeNull();
      const { rows } = await auth.stack.db.query<{
        email: string;
        encrypted_password: string | null;
        deleted_at: Date | null;
        raw_user_meta_data: unknown;
      }>('select email, encrypted_password, deleted_at, raw_user_meta_data from auth.users where id = $1', [id]);
      expect(rows[0]).toMatchObject({ encrypted_password: null, raw_user_meta_data: {} });
      expect(rows[0]!.email).not.toBe(email);
      expect(rows[0]!.deleted_at).not.toBeNull();
      await expectAuthError(
        auth.client().auth.signInWithPassword({ email, password: PASSWORD }),
        400,
        'invalid_credentials',
        'Invalid login credentials',
      );
      expect((await auth.client().auth.signUp({ email, password: PASSWORD })).error).toBeNull();
    });
  });
});
