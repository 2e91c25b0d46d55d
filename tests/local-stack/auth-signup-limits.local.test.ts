/**
 * Supabase Auth's per-IP limits on account creation and links, from the attacker's side: a
 * sign-up flood is cut off with 429 `over_request_rate_limit` and creates nobody past the limit,
 * until the window refills (a moved clock, never a sleep); `/verify` and `PUT /user` have limits
 * of their own. Runs on PGlite and PostgreSQL.
 */
import { AuthApiError } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../_db.ts';
import { startAuthStack, type AuthStack } from '../_support/auth-stack.ts';
import { ManualClock } from '../_support/clock.ts';

const LIMIT = 3;
const FIVE_MINUTES_MS = 5 * 60_000;
const PASSWORD = 'flood password';
const RATE_LIMITED = { status: 429, code: 'over_request_rate_limit', message: 'Request rate limit reached' };
let counter = 0;
const newEmail = () => `flood-${++counter}-${Date.now()}@limits.dev`;

describe.each(BACKENDS)('Auth rate limits on %s', (backend) => {
  let auth: AuthStack;
  const clock = new ManualClock();

  beforeAll(async () => {
    auth = await startAuthStack(
      backend,
      { authRateLimitToken: 10_000, auth: { rateLimitSignUps: LIMIT, rateLimitVerify: LIMIT } },
      { clock },
    );
  });
  afterAll(async () => {
    await auth?.stop();
  });

  async function users(): Promise<number> {
    const { rows } = await auth.stack.db.query<{ n: number }>('select count(*)::int as n from auth.users');
    return rows[0]!.n;
  }

  test('a sign-up flood gets the limit, then 429 for every further sign-up, and no account past the limit', async () => {
    clock.advance(FIVE_MINUTES_MS);
    const before = await users();
    // A refused sign-up counts as much as an accepted one: the limit is on requests.
    const weak = await auth.client().auth.signUp({ email: newEmail(), password: '1' });
    expect(weak.error).toMatchObject({ status: 422, code: 'weak_password' });
    for (let i = 1; i < LIMIT; i++) {
      expect((await auth.client().auth.signUp({ email: newEmail(), password: PASSWORD })).error).toBeNull();
    }
    const flood = await Promise.all(
      Array.from({ length: 10 }, () => auth.client().auth.signUp({ email: newEmail(), password: PASSWORD })),
    );
    for (const { data, error } of flood) {
      expect(error).toBeInstanceOf(AuthApiError);
      expect(error).toMatchObject(RATE_LIMITED);
      expect(data.user).toBeNull();
    }
    expect(await users()).toBe(before + LIMIT - 1);

    clock.advance(FIVE_MINUTES_MS);
    const { data, error } = await auth.client().auth.signUp({ email: newEmail(), password: PASSWORD });
    expect(error).toBeNull();
    expect(data.session).not.toBeNull();
  });

  test('a malformed body is refused before the limit and does not use it up', async () => {
    clock.advance(FIVE_MINUTES_MS);
    const headers = { apikey: auth.stack.config.anonKey, 'x-supabase-api-version': '2024-01-01' };
    for (let i = 0; i < LIMIT * 3; i++) {
      const response = await auth.fetch('/auth/v1/signup', { method: 'POST', headers, body: '{"email":' });
      expect(response.status).toBe(400);
    }
    expect((await auth.client().auth.signUp({ email: newEmail(), password: PASSWORD })).error).toBeNull();
  });

  test('/verify has its own limit: guessing codes is cut off with 429', async () => {
    clock.advance(FIVE_MINUTES_MS);
    const email = newEmail();
    for (let i = 0; i < LIMIT; i++) {
      const guess = await auth.client().auth.verifyOtp({ email, token: String(100000 + i), type: 'email' });
      expect(guess.error).toMatchObject({ status: 403, code: 'otp_expired' });
    }
    const next = await auth.client().auth.verifyOtp({ email, token: '999999', type: 'email' });
    expect(next.error).toMatchObject(RATE_LIMITED);
    const link = await fetch(`${auth.stack.url}/auth/v1/verify?type=signup&token=abc`, { redirect: 'manual' });
    expect(link.status).toBe(429);
  });

  test('PUT /user is limited separately from sign-ups', async () => {
    clock.advance(FIVE_MINUTES_MS);
    const client = await auth.signedIn('acmeAgent');
    for (let i = 0; i < LIMIT; i++) {
      expect((await client.auth.updateUser({ data: { attempt: i } })).error).toBeNull();
    }
    expect((await client.auth.updateUser({ data: { attempt: LIMIT } })).error).toMatchObject(RATE_LIMITED);
    // Sign-ups still have their own allowance.
    expect((await auth.client().auth.signUp({ email: newEmail(), password: PASSWORD })).error).toBeNull();
  });
});
