/**
 * Sign-up with email confirmations on (`[auth.email] enable_confirmations = true`, here through
 * the stack's config): no session until the emailed link or code is used, the link read from the
 * local inbox, GoTrue's silence about registered addresses, its resend interval, the project's
 * hourly email limit and hosted Supabase's address check. Runs on PGlite and PostgreSQL.
 */
import { AuthApiError } from '@supabase/supabase-js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../_db.ts';
import { startAuthStack, type AuthStack } from '../_support/auth-stack.ts';

const PASSWORD = 'confirm me please';
const WELCOME = 'http://127.0.0.1:3000/welcome';
let counter = 0;
const newEmail = (label: string, domain = 'confirm.dev') => `${label}-${++counter}-${Date.now()}@${domain}`;

async function openLink(link: string): Promise<{ status: number; location: string; fragment: URLSearchParams }> {
  const response = await fetch(link, { redirect: 'manual' });
  const location = response.headers.get('location') ?? '';
  return { status: response.status, location, fragment: new URLSearchParams(location.split('#')[1] ?? '') };
}

describe.each(BACKENDS)('sign-up with confirmations on %s', (backend) => {
  let auth: AuthStack;

  beforeAll(async () => {
    auth = await startAuthStack(backend, {
      authRateLimitToken: 10_000,
      // A minute between confirmation emails (Supabase's hosted default) makes the resend refusal certain.
      auth: {
        enableConfirmations: true,
        emailMaxFrequencySeconds: 60,
        rateLimitSignUps: 10_000,
        rateLimitVerify: 10_000,
      },
    });
  });
  afterAll(async () => {
    await auth?.stop();
  });

  test('answers the user without a session; the emailed link confirms and signs in', async () => {
    const email = newEmail('first');
    const { data, error } = await auth.client().auth.signUp({
      email,
      password: PASSWORD,
      options: { data: { display_name: 'Cora Firm' }, emailRedirectTo: WELCOME },
    });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    const user = data.user!;
    expect(user).toMatchObject({ email, user_metadata: { display_name: 'Cora Firm' } });
    expect(user.email_confirmed_at).toBeUndefined();
    expect(user.confirmation_sent_at).toBeTruthy();
    expect(user.identities).toEqual([
      expect.objectContaining({ provider: 'email', identity_data: expect.objectContaining({ email_verified: false }) }),
    ]);
    await expect(auth.client().auth.signInWithPassword({ email, password: PASSWORD })).resolves.toMatchObject({
      error: { status: 400, code: 'email_not_confirmed', message: 'Email not confirmed' },
    });

    const [mail] = await auth.inbox(email);
    expect(mail).toMatchObject({ subject: 'Confirm your email address', type: 'signup', redirect_to: WELCOME });
    const landed = await openLink(mail!.action_link);
    expect(landed.status).toBe(303);
    expect(landed.location.startsWith(`${WELCOME}#access_token=`)).toBe(true);
    expect(landed.fragment.get('type')).toBe('signup');
    expect(decodeJwt(landed.fragment.get('access_token')!).sub).toBe(user.id);

    const signIn = await auth.client().auth.signInWithPassword({ email, password: PASSWORD });
    expect(signIn.error).toBeNull();
    expect(signIn.data.user?.user_metadata).toEqual({ display_name: 'Cora Firm', email_verified: true });
    expect(signIn.data.user?.identities?.[0]?.identity_data).toMatchObject({ email_verified: true });
  });

  test('the emailed code works through verifyOtp; a wrong code or a malformed address is refused', async () => {
    const email = newEmail('code');
    expect((await auth.client().auth.signUp({ email, password: PASSWORD })).error).toBeNull();
    const [mail] = await auth.inbox(email);
    const wrong = await auth.client().auth.verifyOtp({ email, token: '000000', type: 'email' });
    expect(wrong.error).toBeInstanceOf(AuthApiError);
    expect(wrong.error).toMatchObject({ status: 403, code: 'otp_expired', message: 'Token has expired or is invalid' });
    const malformed = await auth.client().auth.verifyOtp({ email: 'not an address', token: '123456', type: 'email' });
    expect(malformed.error).toMatchObject({ status: 422, code: 'validation_failed', message: 'Invalid email format' });

    const client = auth.client();
    const { data, error } = await client.auth.verifyOtp({ email, token: mail!.email_otp, type: 'email' });
    expect(error).toBeNull();
    expect(data.session?.user.email).toBe(email);
    expect((await client.auth.getUser()).data.user?.email_confirmed_at).toBeTruthy();
  });

  test('a confirmed address gets a made-up user, so sign-up does not tell who is registered', async () => {
    const email = newEmail('known');
    const first = await auth.client().auth.signUp({ email, password: PASSWORD });
    const [mail] = await auth.inbox(email);
    await openLink(mail!.action_link);

    const again = await auth.client().auth.signUp({ email, password: 'a different password' });
    expect(again.error).toBeNull();
    expect(again.data.session).toBeNull();
    expect(again.data.user?.id).not.toBe(first.data.user?.id);
    expect(again.data.user).toMatchObject({ email, role: '', identities: [] });
    expect(await auth.inbox(email)).toHaveLength(1);
    expect((await auth.client().auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
  });

  test('signing up again before confirming: held back within max_frequency, then a new link replaces the old', async () => {
    const email = newEmail('resend');
    const first = await auth.client().auth.signUp({ email, password: PASSWORD });
    const soon = await auth.client().auth.signUp({ email, password: PASSWORD });
    expect(soon.error).toBeInstanceOf(AuthApiError);
    expect(soon.error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });
    expect(soon.error?.message).toMatch(/^For security purposes, you can only request this after (59|60) seconds\.$/);

    await auth.stack.db.query(
      `update auth.users set confirmation_sent_at = now() - interval '2 minutes' where email = $1`,
      [email],
    );
    const later = await auth.client().auth.signUp({ email, password: PASSWORD });
    expect(later.error).toBeNull();
    expect(later.data.user?.id).toBe(first.data.user?.id);
    const [latest, earlier] = await auth.inbox(email);
    expect(latest!.hashed_token).not.toBe(earlier!.hashed_token);
    expect((await openLink(earlier!.action_link)).fragment.get('error_code')).toBe('otp_expired');
    expect((await openLink(latest!.action_link)).fragment.get('type')).toBe('signup');
  });

  test('GET /settings says confirmations are on', async () => {
    const response = await auth.fetch('/auth/v1/settings', { headers: { apikey: auth.stack.config.anonKey } });
    expect(await response.json()).toMatchObject({ mailer_autoconfirm: false, disable_signup: false });
  });
});

describe.each(BACKENDS)('the hourly email limit and the address check on %s', (backend) => {
  let limited: AuthStack;
  let checked: AuthStack;

  beforeAll(async () => {
    limited = await startAuthStack(backend, { auth: { enableConfirmations: true, rateLimitEmailSent: 2 } });
    checked = await startAuthStack(backend, { auth: { enableConfirmations: true, emailValidationExtended: true } });
  });
  afterAll(async () => {
    await limited?.stop();
    await checked?.stop();
  });

  async function userExists(auth: AuthStack, email: string): Promise<boolean> {
    const { rows } = await auth.stack.db.query('select 1 from auth.users where email = $1', [email]);
    return rows.length > 0;
  }

  test('past the project’s emails per hour a sign-up is 429 over_email_send_rate_limit and creates nobody', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await limited.client().auth.signUp({ email: newEmail('mail'), password: PASSWORD })).error).toBeNull();
    }
    const email = newEmail('mail');
    const { error } = await limited.client().auth.signUp({ email, password: PASSWORD });
    expect(error).toBeInstanceOf(AuthApiError);
    expect(error).toMatchObject({
      status: 429,
      code: 'over_email_send_rate_limit',
      message: 'email rate limit exceeded',
    });
    expect(await userExists(limited, email)).toBe(false);
  });

  test("hosted Supabase's address check refuses reserved domains with email_address_invalid", async () => {
    for (const email of [newEmail('reserved', 'acme.test'), newEmail('docs', 'example.com')]) {
      const { error } = await checked.client().auth.signUp({ email, password: PASSWORD });
      expect(error).toMatchObject({
        status: 400,
        code: 'email_address_invalid',
        message: `Email address "${email}" is invalid`,
      });
      expect(await userExists(checked, email)).toBe(false);
    }
    expect(
      (await checked.client().auth.signUp({ email: newEmail('fine', 'pubdev.dev'), password: PASSWORD })).error,
    ).toBeNull();
  });
});
