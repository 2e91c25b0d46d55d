import { AuthApiError } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../local-stack/config.ts';
import { FIXTURE_PASSWORD, USERS } from '../../supabase/fixture.ts';
import { startLocalStack, type LocalStack } from '../../local-stack/stack.ts';
import { createClient } from '@supabase/supabase-js';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { ManualClock } from '../_support/clock.ts';

const LIMIT = 5;
const FIVE_MINUTES_MS = 5 * 60_000;

/** Supabase Auth limits `POST /token` per client IP and answers 429 over_request_rate_limit. */
describe.each(BACKENDS)('/auth/v1/token rate limit on %s', (backend) => {
  let t: TestDatabase;
  let stack: LocalStack;
  const clock = new ManualClock();

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    stack = await startLocalStack({ port: 0, authRateLimitToken: LIMIT }, { db: t.db, clock });
  });
  afterAll(async () => {
    await stack?.stop();
    await t?.dispose();
  });

  const client = () =>
    createClient(stack.url, stack.config.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
  const wrongPassword = () =>
    client().auth.signInWithPassword({ email: USERS.acmeAgent.email, password: 'not-the-password' });

  it('answers the wrong passwords within the limit, refuses the next with 429, and allows again in a fresh window', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const { error } = await wrongPassword();
      expect(error).toBeInstanceOf(AuthApiError);
      expect(error).toMatchObject({ status: 400, code: 'invalid_credentials' });
    }
    const refused = await wrongPassword();
    expect(refused.error).toBeInstanceOf(AuthApiError);
    expect(refused.error).toMatchObject({
      status: 429,
      code: 'over_request_rate_limit',
      message: 'Request rate limit reached',
    });
    // Even the right password waits for the window: the limit counts requests, not failures.
    const right = await client().auth.signInWithPassword({ email: USERS.acmeAgent.email, password: FIXTURE_PASSWORD });
    expect(right.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });

    clock.advance(FIVE_MINUTES_MS);
    const { data, error } = await client().auth.signInWithPassword({
      email: USERS.acmeAgent.email,
      password: FIXTURE_PASSWORD,
    });
    expect(error).toBeNull();
    expect(data.session?.user.id).toBe(USERS.acmeAgent.id);
  });

  it("answers clients without Supabase's API-version header in GoTrue's legacy shape", async () => {
    for (let i = 0; i < LIMIT + 1; i++) {
      await fetch(`${stack.url}/auth/v1/token?grant_type=password`, {
        method: 'POST',
        headers: { apikey: stack.config.anonKey, 'content-type': 'application/json' },
        body: JSON.stringify({ email: USERS.acmeAgent.email, password: 'wrong' }),
      });
    }
    const response = await fetch(`${stack.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: stack.config.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ email: USERS.acmeAgent.email, password: 'wrong' }),
    });
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({
      code: 429,
      error_code: 'over_request_rate_limit',
      msg: 'Request rate limit reached',
    });
  });
});

describe('PUBDEV_AUTH_RATE_LIMIT_TOKEN', () => {
  it("defaults to Supabase Auth's 150 token requests per five minutes and reads the variable", () => {
    expect(configFromEnv({}).authRateLimitToken).toBe(150);
    expect(configFromEnv({ PUBDEV_AUTH_RATE_LIMIT_TOKEN: '7' }).authRateLimitToken).toBe(7);
    expect(() => configFromEnv({ PUBDEV_AUTH_RATE_LIMIT_TOKEN: 'many' })).toThrow(
      'PUBDEV_AUTH_RATE_LIMIT_TOKEN must be a whole number',
    );
  });
});
