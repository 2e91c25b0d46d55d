import { z } from 'zod';
import {
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
  LOCAL_PUBLISHABLE_KEY,
  LOCAL_SECRET_KEY,
  LOCAL_SERVICE_ROLE_KEY,
} from './keys.ts';

/** Supabase Realtime's server defaults (protocol reference §8.1); each is configurable. */
const realtimeLimitsSchema = z.object({
  maxChannelsPerClient: z.number().int().positive().default(100),
  maxEventsPerSecond: z.number().int().positive().default(100),
  maxJoinsPerSecond: z.number().int().positive().default(100),
  maxConcurrentUsers: z.number().int().positive().default(200),
  /** Tenant `max_presence_events_per_second` (§4.4, §8.1): 1000 on the server, 20 on the hosted free plan. */
  maxPresenceEventsPerSecond: z.number().int().positive().default(1000),
  /** `max_payload_size_in_kb`: 3000 on the server, 256 on the hosted free plan. */
  maxPayloadSizeKb: z.number().int().positive().default(3000),
  clientPresenceMaxCalls: z.number().int().positive().default(5),
  clientPresenceWindowMs: z.number().int().positive().default(30_000),
  /** `CHANNEL_ERROR_BACKOFF_MS`: the server delays every join error by this much; 0 in tests. */
  joinErrorDelayMs: z.number().int().nonnegative().default(5000),
  /** `CONNECT_ERROR_BACKOFF_MS`: delay before an HTTP refusal of the WebSocket upgrade; 0 in tests. */
  connectErrorDelayMs: z.number().int().nonnegative().default(2000),
  /** Phoenix closes a socket that sent nothing for this long. */
  idleTimeoutMs: z.number().int().positive().default(60_000),
  /** Maximum WebSocket frame (Cowboy `max_frame_size`). */
  maxFrameBytes: z.number().int().positive().default(5_000_000),
  /**
   * Realtime's tenant `private_only`: public joins are refused with `PrivateOnly` (§2.3 step 3).
   * RATIONALE: on by default because the project uses private channels only, and a public
   * channel lets the anon key alone use up the tenant's shared limits (docs/security.md).
   */
  privateOnly: z.boolean().default(true),
});
export type RealtimeLimits = z.infer<typeof realtimeLimitsSchema>;

/**
 * Supabase Auth settings for sign-up, invites and email links. Each one left unset here is read
 * from `supabase/config.toml` (`[auth]`, `[auth.email]`, `[auth.rate_limit]`), else it is what
 * `supabase start` uses when the file does not say (local-stack/auth/auth-settings.ts).
 */
export const authSettingsInputSchema = z
  .object({
    /** The config.toml to read; `<repo>/supabase/config.toml` when absent, none with `false`. */
    configToml: z.union([z.string().min(1), z.literal(false)]).optional(),
    /** `[auth] site_url`: where email links lead when no allowed `redirect_to` is given. */
    siteUrl: z.string().url().optional(),
    /** `[auth] additional_redirect_urls`: further `redirect_to` URLs (globs) email links may lead to. */
    additionalRedirectUrls: z.array(z.string().min(1)).optional(),
    /** `[auth] enable_signup`: false refuses `POST /signup` with `signup_disabled`. */
    enableSignup: z.boolean().optional(),
    /** `[auth.email] enable_signup`: false refuses email sign-ups with `email_provider_disabled`. */
    enableEmailSignup: z.boolean().optional(),
    /** `[auth.email] enable_confirmations`: sign-ups must follow an emailed link before they get a session. */
    enableConfirmations: z.boolean().optional(),
    /** `[auth] minimum_password_length` (Supabase Auth never accepts fewer than 6). */
    minimumPasswordLength: z.number().int().min(6).max(72).optional(),
    /** `[auth] password_requirements`. */
    passwordRequirements: z
      .enum(['', 'letters_digits', 'lower_upper_letters_digits', 'lower_upper_letters_digits_symbols'])
      .optional(),
    /** `[auth.email] max_frequency`, in seconds: the least time between two confirmation emails to one user. */
    emailMaxFrequencySeconds: z.number().nonnegative().optional(),
    /** `[auth.email] otp_expiry`: how long an emailed link or code stays valid, in seconds. */
    otpExpirySeconds: z.number().int().positive().optional(),
    /** `[auth.email] otp_length`: digits of the emailed code. */
    otpLength: z.number().int().min(6).max(10).optional(),
    /** Emails per hour for the whole project (Supabase Auth's `RATE_LIMIT_EMAIL_SENT`); `supabase start` without SMTP allows 360000. */
    rateLimitEmailSent: z.number().int().nonnegative().optional(),
    /** `[auth.rate_limit] sign_in_sign_ups`: `POST /signup` (and `PUT /user`) requests per IP per five minutes, bursts of at most 30. */
    rateLimitSignUps: z.number().int().positive().optional(),
    /** `[auth.rate_limit] token_verifications`: `/verify` requests per IP per five minutes, bursts of at most 30. */
    rateLimitVerify: z.number().int().positive().optional(),
    /**
     * Hosted Supabase's extended email validation (`MAILER_EMAIL_VALIDATION_EXTENDED`): an email to
     * a reserved domain (`.test`, `.example`, `example.com`, …) is refused with
     * `email_address_invalid` when Auth would send it. Off in `supabase start`, so off by default.
     */
    emailValidationExtended: z.boolean().optional(),
  })
  .strict();
export type AuthSettingsInput = z.infer<typeof authSettingsInputSchema>;

export const stackConfigSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  /** 54321 is the port `supabase start` serves its API on; 0 picks a free port (tests). */
  port: z.number().int().min(0).max(65535).default(54321),
  jwtSecret: z.string().min(32, 'jwtSecret must be at least 32 characters').default(LOCAL_JWT_SECRET),
  anonKey: z.string().min(1).default(LOCAL_ANON_KEY),
  serviceRoleKey: z.string().min(1).default(LOCAL_SERVICE_ROLE_KEY),
  publishableKey: z.string().startsWith('sb_publishable_').default(LOCAL_PUBLISHABLE_KEY),
  secretKey: z.string().startsWith('sb_secret_').default(LOCAL_SECRET_KEY),
  /** PostgreSQL connection string; embedded PGlite when absent. */
  databaseUrl: z.string().url().optional(),
  /** PGlite data directory; in memory when absent. */
  dataDir: z.string().min(1).optional(),
  /**
   * Access-token lifetime issued by /auth/v1, in seconds: config.toml's `jwt_expiry`. Ten minutes,
   * not Supabase's hour: an open channel is re-authorised only on a token push, so this bounds how
   * long a removed member keeps receiving (docs/security.md).
   */
  jwtExpirySeconds: z.number().int().positive().default(600),
  /**
   * Supabase Auth's `refresh_token_reuse_interval` (config.toml default 10): for this many seconds a
   * rotated-out refresh token may still be exchanged, covering clients that lost a refresh response.
   */
  refreshTokenReuseIntervalSeconds: z.number().int().nonnegative().default(10),
  /**
   * `POST /auth/v1/token` requests per client IP per five minutes (Supabase Auth's
   * `RATE_LIMIT_TOKEN_REFRESH`, config.toml `token_refresh`, default 150; bursts of at most 30).
   */
  authRateLimitToken: z.number().int().positive().default(150),
  /** Edge functions served at /functions/v1; `<repo>/supabase/functions` when absent (its `../config.toml` gives `verify_jwt`). */
  functionsDir: z.string().min(1).optional(),
  realtime: realtimeLimitsSchema.default(realtimeLimitsSchema.parse({})),
  auth: authSettingsInputSchema.default({}),
});
export type StackConfig = z.infer<typeof stackConfigSchema>;
export type StackConfigInput = z.input<typeof stackConfigSchema>;

const integer = (name: string) =>
  z.string().regex(/^\d+$/, `${name} must be a whole number`).transform(Number).optional();
const boolean = (name: string) =>
  z
    .enum(['true', 'false'], { error: `${name} must be true or false` })
    .transform((value) => value === 'true')
    .optional();

/** Environment variables the stack reads, validated so a typo fails loudly at startup. */
const envSchema = z.object({
  PUBDEV_HOST: z.string().min(1).optional(),
  PUBDEV_PORT: integer('PUBDEV_PORT'),
  PUBDEV_JWT_SECRET: z.string().min(32, 'PUBDEV_JWT_SECRET must be at least 32 characters').optional(),
  DATABASE_URL: z.string().url('DATABASE_URL must be a postgresql:// URL').optional(),
  PUBDEV_DATA_DIR: z.string().min(1).optional(),
  PUBDEV_FUNCTIONS_DIR: z.string().min(1).optional(),
  PUBDEV_JWT_EXPIRY: integer('PUBDEV_JWT_EXPIRY'),
  PUBDEV_AUTH_RATE_LIMIT_TOKEN: integer('PUBDEV_AUTH_RATE_LIMIT_TOKEN'),
  PUBDEV_AUTH_ENABLE_SIGNUP: boolean('PUBDEV_AUTH_ENABLE_SIGNUP'),
  PUBDEV_AUTH_ENABLE_CONFIRMATIONS: boolean('PUBDEV_AUTH_ENABLE_CONFIRMATIONS'),
  PUBDEV_AUTH_SITE_URL: z.string().url('PUBDEV_AUTH_SITE_URL must be a URL').optional(),
  PUBDEV_AUTH_RATE_LIMIT_SIGN_UPS: integer('PUBDEV_AUTH_RATE_LIMIT_SIGN_UPS'),
  PUBDEV_AUTH_RATE_LIMIT_EMAIL_SENT: integer('PUBDEV_AUTH_RATE_LIMIT_EMAIL_SENT'),
  PUBDEV_AUTH_RATE_LIMIT_VERIFY: integer('PUBDEV_AUTH_RATE_LIMIT_VERIFY'),
  PUBDEV_REALTIME_JOIN_ERROR_DELAY_MS: integer('PUBDEV_REALTIME_JOIN_ERROR_DELAY_MS'),
  PUBDEV_REALTIME_MAX_EVENTS_PER_SECOND: integer('PUBDEV_REALTIME_MAX_EVENTS_PER_SECOND'),
  PUBDEV_REALTIME_MAX_CONCURRENT_USERS: integer('PUBDEV_REALTIME_MAX_CONCURRENT_USERS'),
  PUBDEV_REALTIME_MAX_JOINS_PER_SECOND: integer('PUBDEV_REALTIME_MAX_JOINS_PER_SECOND'),
  PUBDEV_REALTIME_MAX_CHANNELS_PER_CLIENT: integer('PUBDEV_REALTIME_MAX_CHANNELS_PER_CLIENT'),
  PUBDEV_REALTIME_MAX_PAYLOAD_KB: integer('PUBDEV_REALTIME_MAX_PAYLOAD_KB'),
  PUBDEV_REALTIME_MAX_PRESENCE_EVENTS_PER_SECOND: integer('PUBDEV_REALTIME_MAX_PRESENCE_EVENTS_PER_SECOND'),
  PUBDEV_REALTIME_PRIVATE_ONLY: boolean('PUBDEV_REALTIME_PRIVATE_ONLY'),
});

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): StackConfig {
  // `DATABASE_URL=` in a .env file means "not set", as most tools read it.
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${detail}`);
  }
  const e = parsed.data;
  const realtime: Partial<RealtimeLimits> = {};
  if (e.PUBDEV_REALTIME_JOIN_ERROR_DELAY_MS !== undefined)
    realtime.joinErrorDelayMs = e.PUBDEV_REALTIME_JOIN_ERROR_DELAY_MS;
  if (e.PUBDEV_REALTIME_MAX_EVENTS_PER_SECOND !== undefined)
    realtime.maxEventsPerSecond = e.PUBDEV_REALTIME_MAX_EVENTS_PER_SECOND;
  if (e.PUBDEV_REALTIME_MAX_CONCURRENT_USERS !== undefined)
    realtime.maxConcurrentUsers = e.PUBDEV_REALTIME_MAX_CONCURRENT_USERS;
  if (e.PUBDEV_REALTIME_MAX_JOINS_PER_SECOND !== undefined)
    realtime.maxJoinsPerSecond = e.PUBDEV_REALTIME_MAX_JOINS_PER_SECOND;
  if (e.PUBDEV_REALTIME_MAX_CHANNELS_PER_CLIENT !== undefined)
    realtime.maxChannelsPerClient = e.PUBDEV_REALTIME_MAX_CHANNELS_PER_CLIENT;
  if (e.PUBDEV_REALTIME_MAX_PAYLOAD_KB !== undefined) realtime.maxPayloadSizeKb = e.PUBDEV_REALTIME_MAX_PAYLOAD_KB;
  if (e.PUBDEV_REALTIME_PRIVATE_ONLY !== undefined) realtime.privateOnly = e.PUBDEV_REALTIME_PRIVATE_ONLY;
  if (e.PUBDEV_REALTIME_MAX_PRESENCE_EVENTS_PER_SECOND !== undefined) {
    realtime.maxPresenceEventsPerSecond = e.PUBDEV_REALTIME_MAX_PRESENCE_EVENTS_PER_SECOND;
  }
  const auth: AuthSettingsInput = {};
  if (e.PUBDEV_AUTH_ENABLE_SIGNUP !== undefined) auth.enableSignup = e.PUBDEV_AUTH_ENABLE_SIGNUP;
  if (e.PUBDEV_AUTH_ENABLE_CONFIRMATIONS !== undefined) auth.enableConfirmations = e.PUBDEV_AUTH_ENABLE_CONFIRMATIONS;
  if (e.PUBDEV_AUTH_SITE_URL !== undefined) auth.siteUrl = e.PUBDEV_AUTH_SITE_URL;
  if (e.PUBDEV_AUTH_RATE_LIMIT_SIGN_UPS !== undefined) auth.rateLimitSignUps = e.PUBDEV_AUTH_RATE_LIMIT_SIGN_UPS;
  if (e.PUBDEV_AUTH_RATE_LIMIT_EMAIL_SENT !== undefined) auth.rateLimitEmailSent = e.PUBDEV_AUTH_RATE_LIMIT_EMAIL_SENT;
  if (e.PUBDEV_AUTH_RATE_LIMIT_VERIFY !== undefined) auth.rateLimitVerify = e.PUBDEV_AUTH_RATE_LIMIT_VERIFY;
  return stackConfigSchema.parse({
    ...(e.PUBDEV_HOST ? { host: e.PUBDEV_HOST } : {}),
    ...(e.PUBDEV_PORT !== undefined ? { port: e.PUBDEV_PORT } : {}),
    ...(e.PUBDEV_JWT_SECRET ? { jwtSecret: e.PUBDEV_JWT_SECRET } : {}),
    ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
    ...(e.PUBDEV_DATA_DIR ? { dataDir: e.PUBDEV_DATA_DIR } : {}),
    ...(e.PUBDEV_FUNCTIONS_DIR ? { functionsDir: e.PUBDEV_FUNCTIONS_DIR } : {}),
    ...(e.PUBDEV_JWT_EXPIRY !== undefined ? { jwtExpirySeconds: e.PUBDEV_JWT_EXPIRY } : {}),
    ...(e.PUBDEV_AUTH_RATE_LIMIT_TOKEN !== undefined ? { authRateLimitToken: e.PUBDEV_AUTH_RATE_LIMIT_TOKEN } : {}),
    realtime: realtimeLimitsSchema.parse(realtime),
    auth: authSettingsInputSchema.parse(auth),
  });
}

/**
 * Maps an API key to the JWT that stands for it: `sb_publishable_…`/`sb_secret_…` become the anon
 * and service_role JWTs, as Supabase's gateway swaps them before Realtime sees them (§1.2).
 */
export function resolveApiKey(config: StackConfig, key: string): string {
  if (key === config.publishableKey) return config.anonKey;
  if (key === config.secretKey) return config.serviceRoleKey;
  return key;
}
