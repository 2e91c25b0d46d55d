/**
 * Invitations through supabase-js as an app runs them: `auth.admin.inviteUserByEmail` (or
 * `generateLink`), the emailed link read from the local inbox, `/verify` answering with the
 * session in the redirect's fragment, and the invitee setting a password with `updateUser`. From
 * the attacker's side: a link replayed, superseded or expired, a code used for another address,
 * a redirect to somewhere not allowed. Runs on PGlite and PostgreSQL.
 */
import { AuthApiError } from '@supabase/supabase-js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { startAuthStack, type AuthStack, type LocalEmail } from '../_support/auth-stack.ts';

const ACCEPT_URL = 'http://127.0.0.1:3000/accept';
let counter = 0;
const newEmail = (label: string) => `${label}-${++counter}-${Date.now()}@invite.test`;

/** What a browser does with an emailed link: follow it (no API key), and see where it lands. */
async function openLink(link: string): Promise<{ status: number; location: string; fragment: URLSearchParams }> {
  const response = await fetch(link, { redirect: 'manual' });
  const location = response.headers.get('location') ?? '';
  return { status: response.status, location, fragment: new URLSearchParams(location.split('#')[1] ?? '') };
}

const SPENT_LINK = {
  error: 'access_denied',
  error_code: 'otp_expired',
  error_description: 'Email link is invalid or has expired',
  sb: '',
};

describe.each(BACKENDS)('invitations on %s', (backend) => {
  let auth: AuthStack;

  beforeAll(async () => {
    auth = await startAuthStack(backend, { authRateLimitToken: 10_000, auth: { rateLimitVerify: 10_000 } });
  });
  afterAll(async () => {
    await auth?.stop();
  });

  async function invite(email: string, data: Record<string, unknown> = {}): Promise<LocalEmail> {
    const { error } = await auth.admin().auth.admin.inviteUserByEmail(email, { data, redirectTo: ACCEPT_URL });
    expect(error).toBeNull();
    const [latest] = await auth.inbox(email);
    return latest!;
  }

  test('invite, open the link, set a password, sign in: the whole way an invitee comes in', async () => {
    const email = newEmail('nia');
    const { data, error } = await auth
      .admin()
      .auth.admin.inviteUserByEmail(email, { data: { display_name: 'Nia New' }, redirectTo: ACCEPT_URL });
    expect(error).toBeNull();
    const invited = data.user!;
    expect(invited).toMatchObject({
      email,
      role: 'authenticated',
      user_metadata: { display_name: 'Nia New' },
      app_metadata: { provider: 'email', providers: ['email'] },
      identities: [expect.objectContaining({ provider: 'email', email })],
    });
    expect(invited.invited_at).toBeTruthy();
    expect(invited.confirmation_sent_at).toBeTruthy();
    expect(invited.email_confirmed_at).toBeUndefined();
    const { rows } = await auth.stack.db.query('select display_name from public.profiles where user_id = $1', [
      invited.id,
    ]);
    expect(rows).toEqual([{ display_name: 'Nia New' }]);

    const mails = await auth.inbox(email);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail).toMatchObject({ to: email, subject: "You've been invited", type: 'invite', redirect_to: ACCEPT_URL });
    expect(mail.email_otp).toMatch(/^\d{6}$/);
    expect(mail.action_link).toBe(
      `${auth.stack.url}/auth/v1/verify?token=${mail.hashed_token}&type=invite&redirect_to=${ACCEPT_URL}`,
    );
    expect(auth.logs.some((line) => line.includes(mail.action_link))).toBe(true);
    // Still unconfirmed: no way in with a guessed password.
    const early = await auth.client().auth.signInWithPassword({ email, password: 'guessed password' });
    expect(early.error).toMatchObject({ status: 400, code: 'invalid_credentials' });

    const landed = await openLink(mail.action_link);
    expect(landed.status).toBe(303);
    expect(landed.location.startsWith(`${ACCEPT_URL}#`)).toBe(true);
    expect(Object.fromEntries(landed.fragment)).toMatchObject({
      token_type: 'bearer',
      type: 'invite',
      sb: '',
      expires_in: String(auth.stack.config.jwtExpirySeconds),
    });
    const accessToken = landed.fragment.get('access_token')!;
    const claims = decodeJwt(accessToken);
    expect(claims).toMatchObject({ sub: invited.id, email, role: 'authenticated' });
    expect(claims.amr).toEqual([{ method: 'otp', timestamp: expect.any(Number) }]);

    // The app's accept page: take the session from the fragment, then set the password.
    const invitee = auth.client();
    const session = await invitee.auth.setSession({
      access_token: accessToken,
      refresh_token: landed.fragment.get('refresh_token')!,
    });
    expect(session.error).toBeNull();
    expect(session.data.user?.email_confirmed_at).toBeTruthy();
    expect(session.data.user?.user_metadata).toEqual({ display_name: 'Nia New', email_verified: true });
    expect(session.data.user?.identities?.[0]?.identity_data).toMatchObject({ email_verified: true });
    const updated = await invitee.auth.updateUser({ password: 'my own password', data: { team: 'west' } });
    expect(updated.error).toBeNull();
    expect(updated.data.user?.user_metadata).toMatchObject({ display_name: 'Nia New', team: 'west' });
    const same = await invitee.auth.updateUser({ password: 'my own password' });
    expect(same.error).toMatchObject({
      status: 422,
      code: 'same_password',
      message: 'New password should be different from the old password.',
    });

    const signIn = await auth.client().auth.signInWithPassword({ email, password: 'my own password' });
    expect(signIn.error).toBeNull();
    expect(signIn.data.user?.id).toBe(invited.id);
  });

  test('a link works once: replayed, it lands with otp_expired, and its code is spent too', async () => {
    const email = newEmail('once');
    const mail = await invite(email);
    expect((await openLink(mail.action_link)).fragment.get('access_token')).toBeTruthy();

    const replay = await openLink(mail.action_link);
    expect(replay.status).toBe(303);
    expect(replay.location).toBe(
      `${ACCEPT_URL}#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired&sb=`,
    );
    const byHash = await auth.client().auth.verifyOtp({ token_hash: mail.hashed_token, type: 'invite' });
    expect(byHash.error).toBeInstanceOf(AuthApiError);
    expect(byHash.error).toMatchObject({
      status: 403,
      code: 'otp_expired',
      message: 'Email link is invalid or has expired',
    });
    const byCode = await auth.client().auth.verifyOtp({ email, token: mail.email_otp, type: 'invite' });
    expect(byCode.error).toMatchObject({
      status: 403,
      code: 'otp_expired',
      message: 'Token has expired or is invalid',
    });
  });

  test('inviting again replaces the link: the first one no longer works', async () => {
    const email = newEmail('again');
    const first = await invite(email);
    const second = await invite(email);
    expect(second.hashed_token).not.toBe(first.hashed_token);
    expect(Object.fromEntries((await openLink(first.action_link)).fragment)).toEqual(SPENT_LINK);
    expect((await openLink(second.action_link)).fragment.get('type')).toBe('invite');
  });

  test("an invitee's code does not open another invitee's account, and a hash cannot be paired with an address", async () => {
    const alice = newEmail('alice');
    const bob = newEmail('bob');
    const aliceMail = await invite(alice);
    await invite(bob);
    const crossed = await auth.client().auth.verifyOtp({ email: bob, token: aliceMail.email_otp, type: 'invite' });
    expect(crossed.error).toMatchObject({
      status: 403,
      code: 'otp_expired',
      message: 'Token has expired or is invalid',
    });
    expect(crossed.data.session).toBeNull();

    const key = auth.stack.config.anonKey;
    const mixed = await auth.fetch('/auth/v1/verify', {
      method: 'POST',
      headers: { apikey: key, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
      body: JSON.stringify({ type: 'invite', token_hash: aliceMail.hashed_token, email: bob }),
    });
    expect(mixed.status).toBe(400);
    expect(await mixed.json()).toEqual({
      code: 'validation_failed',
      message: 'Only the token_hash and type should be provided',
    });

    // Alice's own code still opens Alice's account, once.
    const own = await auth.client().auth.verifyOtp({ email: alice, token: aliceMail.email_otp, type: 'invite' });
    expect(own.error).toBeNull();
    expect(own.data.user?.email).toBe(alice);
  });

  test('an invite older than otp_expiry lands with otp_expired', async () => {
    const email = newEmail('late');
    const mail = await invite(email);
    await auth.stack.db.query(
      `update auth.users set confirmation_sent_at = now() - interval '61 minutes' where email = $1`,
      [email],
    );
    expect(Object.fromEntries((await openLink(mail.action_link)).fragment)).toEqual(SPENT_LINK);
  });

  test('a redirect_to outside the allowed URLs is replaced by the site URL, in the mail and at /verify', async () => {
    const email = newEmail('elsewhere');
    const { error } = await auth
      .admin()
      .auth.admin.inviteUserByEmail(email, { redirectTo: 'https://evil.example.com/steal' });
    expect(error).toBeNull();
    const [mail] = await auth.inbox(email);
    expect(mail!.redirect_to).toBe('http://127.0.0.1:3000');
    const tampered = mail!.action_link.replace(/redirect_to=.*$/, 'redirect_to=https://evil.example.com/steal');
    const landed = await openLink(tampered);
    expect(landed.location.startsWith('http://127.0.0.1:3000#access_token=')).toBe(true);
  });

  test('refusals: a registered address is 422 email_exists; a bad address 400; a made-up link lands with an error', async () => {
    const taken = await auth.admin().auth.admin.inviteUserByEmail(USERS.acmeOwner.email);
    expect(taken.error).toMatchObject({
      status: 422,
      code: 'email_exists',
      message: 'A user with this email address has already been registered',
    });
    const bad = await auth.admin().auth.admin.inviteUserByEmail('nobody');
    expect(bad.error).toMatchObject({ status: 400, code: 'validation_failed' });

    const forged = await openLink(
      `${auth.stack.url}/auth/v1/verify?token=${'0'.repeat(56)}&type=invite&redirect_to=${ACCEPT_URL}`,
    );
    expect(Object.fromEntries(forged.fragment)).toEqual(SPENT_LINK);
    const untyped = await fetch(`${auth.stack.url}/auth/v1/verify?token=abc`, { redirect: 'manual' });
    expect(untyped.status).toBe(400);
    expect(await untyped.json()).toEqual({
      code: 400,
      error_code: 'validation_failed',
      msg: 'Verify requires a verification type',
    });
  });

  test('generateLink gives the link and code without sending anything; they work like the email', async () => {
    const email = newEmail('generated');
    const { data, error } = await auth.admin().auth.admin.generateLink({
      type: 'invite',
      email,
      options: { data: { display_name: 'Gen Erated' }, redirectTo: ACCEPT_URL },
    });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email, user_metadata: { display_name: 'Gen Erated' } });
    expect(data.properties).toMatchObject({ verification_type: 'invite', redirect_to: ACCEPT_URL });
    expect(data.properties!.email_otp).toMatch(/^\d{6}$/);
    expect(await auth.inbox(email)).toHaveLength(0);
    const landed = await openLink(data.properties!.action_link);
    expect(decodeJwt(landed.fragment.get('access_token')!).sub).toBe(data.user!.id);

    const signupLink = await auth
      .admin()
      .auth.admin.generateLink({ type: 'signup', email: newEmail('gen'), password: '' });
    expect(signupLink.error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'Signup requires a valid password',
    });
    const recovery = await auth.admin().auth.admin.generateLink({ type: 'recovery', email: USERS.acmeOwner.email });
    expect(recovery.error).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  test('as on Supabase: with confirmations off, a sign-up for an invited address that has not accepted signs in as the invitee', async () => {
    // GoTrue confirms the existing unconfirmed user and starts a session, without changing its
    // password. Whoever knows an open invite's address can take the account: an app that invites
    // through Supabase Auth must not rely on the invite link alone (docs/local-stack.md).
    const email = newEmail('claimed');
    const mail = await invite(email, { display_name: 'Invitee' });
    const { data, error } = await auth.client().auth.signUp({ email, password: 'attacker password' });
    expect(error).toBeNull();
    expect(data.session).not.toBeNull();
    const invited = (await auth.admin().auth.admin.listUsers({ perPage: 1000 })).data.users.find(
      (u) => u.email === email,
    );
    expect(data.user?.id).toBe(invited?.id);
    const withAttackerPassword = await auth.client().auth.signInWithPassword({ email, password: 'attacker password' });
    expect(withAttackerPassword.error).toMatchObject({ code: 'invalid_credentials' });
    // The invite link is spent by the confirmation.
    expect(Object.fromEntries((await openLink(mail.action_link)).fragment)).toEqual(SPENT_LINK);
  });
});
