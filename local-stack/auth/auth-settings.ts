import { fileURLToPath } from 'node:url';
import { authSettingsInputSchema, type AuthSettingsInput, type StackConfig } from '../config.ts';
import { readAuthToml, type AuthToml } from './auth-config-toml.ts';

/** Everything the sign-up, admin, invite and verify endpoints decide by. */
export interface AuthSettings {
  siteUrl: string;
  additionalRedirectUrls: readonly string[];
  enableSignup: boolean;
  enableEmailSignup: boolean;
  enableConfirmations: boolean;
  minimumPasswordLength: number;
  /** Character sets a password must each draw from (GoTrue's `PASSWORD_REQUIRED_CHARACTERS`). */
  requiredCharacters: readonly string[];
  emailMaxFrequencySeconds: number;
  otpExpirySeconds: number;
  otpLength: number;
  rateLimitEmailSent: number;
  rateLimitSignUps: number;
  rateLimitVerify: number;
  emailValidationExtended: boolean;
}

/**
 * What `supabase start` runs Auth with when config.toml does not say: the CLI's template values,
 * except the email limit, which the CLI sets to 360000 an hour unless a real SMTP server is
 * configured (hosted projects on the built-in mailer get 2 an hour; set `rateLimitEmailSent`).
 */
const CLI_DEFAULTS: AuthSettings = {
  siteUrl: 'http://127.0.0.1:3000',
  additionalRedirectUrls: [],
  enableSignup: true,
  enableEmailSignup: true,
  enableConfirmations: false,
  minimumPasswordLength: 6,
  requiredCharacters: [],
  emailMaxFrequencySeconds: 1,
  otpExpirySeconds: 3600,
  otpLength: 6,
  rateLimitEmailSent: 360_000,
  rateLimitSignUps: 30,
  rateLimitVerify: 30,
  emailValidationExtended: false,
};

/** The CLI's `password_requirements` values and the character sets it hands Supabase Auth for each. */
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const SYMBOLS = '!@#$%^&*()_+-=[]{};\'\\:"|<>?,./`~';
const REQUIRED_CHARACTERS: Record<NonNullable<AuthSettingsInput['passwordRequirements']>, readonly string[]> = {
  '': [],
  letters_digits: [LOWER + UPPER, DIGITS],
  lower_upper_letters_digits: [LOWER, UPPER, DIGITS],
  lower_upper_letters_digits_symbols: [LOWER, UPPER, DIGITS, SYMBOLS],
};

const DEFAULT_CONFIG_TOML = fileURLToPath(new URL('../../supabase/config.toml', import.meta.url));

/** Go durations as config.toml writes them (`"1s"`, `"60s"`, `"1m30s"`, `"1h"`), in seconds. */
function durationSeconds(value: string): number | undefined {
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) return undefined;
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 } as const;
  return parts.reduce((total, [, n = '0', u = 's']) => total + Number(n) * unit[u as keyof typeof unit], 0);
}

/** The settings config.toml gives, in the stack's own names, validated like the stack's config. */
function fromToml(toml: AuthToml, source: string): AuthSettingsInput {
  const { auth, email, rateLimit } = toml;
  const maxFrequency = email.max_frequency;
  const candidate = {
    siteUrl: auth.site_url,
    additionalRedirectUrls: auth.additional_redirect_urls,
    enableSignup: auth.enable_signup,
    enableEmailSignup: email.enable_signup,
    enableConfirmations: email.enable_confirmations,
    minimumPasswordLength: auth.minimum_password_length,
    passwordRequirements: auth.password_requirements,
    emailMaxFrequencySeconds: typeof maxFrequency === 'string' ? durationSeconds(maxFrequency) : maxFrequency,
    otpExpirySeconds: email.otp_expiry,
    otpLength: email.otp_length,
    rateLimitSignUps: rateLimit.sign_in_sign_ups,
    rateLimitVerify: rateLimit.token_verifications,
  };
  const defined = Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined));
  const parsed = authSettingsInputSchema.safeParse(defined);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`${source}: unsupported Auth setting: ${detail}`);
  }
  return parsed.data;
}

/** The stack's explicit settings (code or `PUBDEV_AUTH_*`), then config.toml, then the CLI's defaults. */
export async function loadAuthSettings(config: StackConfig): Promise<AuthSettings> {
  const explicit = config.auth;
  const path = explicit.configToml === undefined ? DEFAULT_CONFIG_TOML : explicit.configToml;
  const toml = path === false ? {} : fromToml(await readAuthToml(path), path);
  const merged = { ...toml, ...stripUndefined(explicit) };
  return {
    siteUrl: merged.siteUrl ?? CLI_DEFAULTS.siteUrl,
    additionalRedirectUrls: merged.additionalRedirectUrls ?? CLI_DEFAULTS.additionalRedirectUrls,
    enableSignup: merged.enableSignup ?? CLI_DEFAULTS.enableSignup,
    enableEmailSignup: merged.enableEmailSignup ?? CLI_DEFAULTS.enableEmailSignup,
    enableConfirmations: merged.enableConfirmations ?? CLI_DEFAULTS.enableConfirmations,
    minimumPasswordLength: merged.minimumPasswordLength ?? CLI_DEFAULTS.minimumPasswordLength,
    requiredCharacters: REQUIRED_CHARACTERS[merged.passwordRequirements ?? ''],
    emailMaxFrequencySeconds: merged.emailMaxFrequencySeconds ?? CLI_DEFAULTS.emailMaxFrequencySeconds,
    otpExpirySeconds: merged.otpExpirySeconds ?? CLI_DEFAULTS.otpExpirySeconds,
    otpLength: merged.otpLength ?? CLI_DEFAULTS.otpLength,
    rateLimitEmailSent: merged.rateLimitEmailSent ?? CLI_DEFAULTS.rateLimitEmailSent,
    rateLimitSignUps: merged.rateLimitSignUps ?? CLI_DEFAULTS.rateLimitSignUps,
    rateLimitVerify: merged.rateLimitVerify ?? CLI_DEFAULTS.rateLimitVerify,
    emailValidationExtended: merged.emailValidationExtended ?? CLI_DEFAULTS.emailValidationExtended,
  };
}

/** Only the keys that were set, so an explicit `undefined` does not hide config.toml's value. */
function stripUndefined(input: AuthSettingsInput): AuthSettingsInput {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as AuthSettingsInput;
}
