/**
 * Where the Auth settings come from: the stack's own config (code or `PUBDEV_AUTH_*`), then
 * `supabase/config.toml`'s `[auth]`, `[auth.email]` and `[auth.rate_limit]` tables — the same
 * file `supabase start` reads — then the CLI's defaults. A stack started on a config.toml with
 * `enable_confirmations = true` answers sign-ups as Supabase does with confirmations on.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadAuthSettings } from '../../local-stack/auth/auth-settings.ts';
import { configFromEnv, stackConfigSchema } from '../../local-stack/index.ts';
import { BACKENDS } from '../_db.ts';
import { startAuthStack, type AuthStack } from '../_support/auth-stack.ts';

const CONFIG_TOML = `
project_id = "settings-test"

[auth]
enabled = true
site_url = "http://localhost:4000"
additional_redirect_urls = ["http://localhost:4000/**", "https://app.pubdev.dev/accept"] # comment
enable_signup = true
minimum_password_length = 10
password_requirements = "letters_digits"

[auth.rate_limit]
sign_in_sign_ups = 12
token_verifications = 7

[auth.email]
enable_signup = true
enable_confirmations = true
max_frequency = "1m30s"
otp_expiry = 600
otp_length = 8

[functions.echo]
verify_jwt = false
`;

let dir: string;
let configToml: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pubdev-auth-settings-'));
  configToml = join(dir, 'config.toml');
  await writeFile(configToml, CONFIG_TOML);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Auth settings', () => {
  test('config.toml gives every setting it names; the CLI defaults fill the rest', async () => {
    const settings = await loadAuthSettings(stackConfigSchema.parse({ auth: { configToml } }));
    expect(settings).toEqual({
      siteUrl: 'http://localhost:4000',
      additionalRedirectUrls: ['http://localhost:4000/**', 'https://app.pubdev.dev/accept'],
      enableSignup: true,
      enableEmailSignup: true,
      enableConfirmations: true,
      minimumPasswordLength: 10,
      requiredCharacters: ['abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789'],
      emailMaxFrequencySeconds: 90,
      otpExpirySeconds: 600,
      otpLength: 8,
      rateLimitEmailSent: 360_000,
      rateLimitSignUps: 12,
      rateLimitVerify: 7,
      emailValidationExtended: false,
    });
  });

  test("the stack's own settings win over config.toml; without a file the CLI's defaults apply", async () => {
    const explicit = await loadAuthSettings(
      stackConfigSchema.parse({ auth: { configToml, enableConfirmations: false, rateLimitSignUps: 99 } }),
    );
    expect(explicit).toMatchObject({ enableConfirmations: false, rateLimitSignUps: 99, otpLength: 8 });
    const none = await loadAuthSettings(stackConfigSchema.parse({ auth: { configToml: false } }));
    expect(none).toMatchObject({
      siteUrl: 'http://127.0.0.1:3000',
      enableConfirmations: false,
      minimumPasswordLength: 6,
      emailMaxFrequencySeconds: 1,
      rateLimitSignUps: 30,
    });
    // The repository's own config.toml: confirmations off, as supabase start runs it.
    const repository = await loadAuthSettings(stackConfigSchema.parse({}));
    expect(repository).toMatchObject({
      enableConfirmations: false,
      siteUrl: 'http://127.0.0.1:3000',
      additionalRedirectUrls: ['http://127.0.0.1:3000', 'http://localhost:3000', 'http://localhost:3000/**'],
    });
  });

  test('a value config.toml gives that Auth cannot use stops the stack with the file named', async () => {
    const bad = join(dir, 'bad.toml');
    await writeFile(bad, '[auth]\nminimum_password_length = 3\n');
    await expect(loadAuthSettings(stackConfigSchema.parse({ auth: { configToml: bad } }))).rejects.toThrow(
      `${bad}: unsupported Auth setting: [auth] minimum_password_length: Too small: expected number to be >=6`,
    );
    const unreadable = join(dir, 'unreadable.toml');
    await writeFile(unreadable, '[auth.email]\nmax_frequency = soon\n');
    await expect(loadAuthSettings(stackConfigSchema.parse({ auth: { configToml: unreadable } }))).rejects.toThrow(
      `${unreadable}:2: cannot read the value of max_frequency: soon`,
    );
  });

  test('PUBDEV_AUTH_* variables are read and validated', () => {
    const config = configFromEnv({
      PUBDEV_AUTH_ENABLE_CONFIRMATIONS: 'true',
      PUBDEV_AUTH_ENABLE_SIGNUP: 'false',
      PUBDEV_AUTH_SITE_URL: 'http://localhost:3000',
      PUBDEV_AUTH_RATE_LIMIT_SIGN_UPS: '5',
      PUBDEV_AUTH_RATE_LIMIT_EMAIL_SENT: '2',
      PUBDEV_AUTH_RATE_LIMIT_VERIFY: '6',
    });
    expect(config.auth).toEqual({
      enableConfirmations: true,
      enableSignup: false,
      siteUrl: 'http://localhost:3000',
      rateLimitSignUps: 5,
      rateLimitEmailSent: 2,
      rateLimitVerify: 6,
    });
    expect(() => configFromEnv({ PUBDEV_AUTH_ENABLE_CONFIRMATIONS: 'yes' })).toThrow(
      'PUBDEV_AUTH_ENABLE_CONFIRMATIONS must be true or false',
    );
  });
});

describe.each(BACKENDS)('a stack on a config.toml with confirmations on (%s)', (backend) => {
  let auth: AuthStack;
  beforeAll(async () => {
    auth = await startAuthStack(backend, { auth: { configToml } });
  });
  afterAll(async () => {
    await auth?.stop();
  });

  test('sign-up answers without a session, enforces the file’s password rules, and links to its site URL', async () => {
    const weak = await auth.client().auth.signUp({ email: 'short@settings.dev', password: 'onlyletters' });
    expect(weak.error).toMatchObject({
      status: 422,
      code: 'weak_password',
      message:
        'Password should contain at least one character of each: abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ, 0123456789.',
      reasons: ['characters'],
    });
    const { data, error } = await auth
      .client()
      .auth.signUp({ email: 'toml@settings.dev', password: 'letters and 1 digit' });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    const [mail] = await auth.inbox('toml@settings.dev');
    expect(mail!.redirect_to).toBe('http://localhost:4000');
    expect(mail!.email_otp).toMatch(/^\d{8}$/);
  });
});
