import { z } from 'zod';
import { AuthError } from './auth-error.ts';
import { goBool, goMap, goString } from './go-json.ts';

/**
 * GoTrue's `AdminUserParams`, the body of `POST /admin/users` and `PUT /admin/users/{id}`
 * (supabase-js's `AdminUserAttributes`). `password` is a pointer there: absent or null means
 * "not given", while `""` is given.
 */
export const adminUserParamsSchema = z.object({
  id: goString(),
  aud: goString(),
  role: goString(),
  email: goString(),
  phone: goString(),
  password: z.string().nullish(),
  password_hash: goString(),
  email_confirm: goBool(),
  phone_confirm: goBool(),
  user_metadata: goMap(),
  app_metadata: goMap(),
  ban_duration: goString(),
});
export type AdminUserParams = z.infer<typeof adminUserParamsSchema>;

const UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's `time.ParseDuration`, in milliseconds ("24h", "1h30m", "-1.5h", "0"). */
function parseGoDuration(text: string): number | undefined {
  const match = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (text === '0' || text === '+0' || text === '-0') return 0;
  if (!match) return undefined;
  const sign = match[1] === '-' ? -1 : 1;
  let total = 0;
  for (const [, value = '0', unit = 's'] of text
    .slice(match[1]!.length)
    .matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(value) * UNITS_MS[unit]!;
  }
  return sign * total;
}

/**
 * `ban_duration`: `"none"` lifts a ban, a Go duration bans for that long from now (0 lifts it too),
 * anything else is 400 as GoTrue words it. Undefined when not given.
 */
export function banUntil(banDuration: string, now: Date = new Date()): Date | null | undefined {
  if (banDuration === '') return undefined;
  const ms = banDuration === 'none' ? 0 : parseGoDuration(banDuration);
  if (ms === undefined) {
    throw new AuthError(
      400,
      'validation_failed',
      `invalid format for ban duration: time: invalid duration ${JSON.stringify(banDuration)}`,
    );
  }
  return ms === 0 ? null : new Date(now.getTime() + ms);
}

/** GoTrue's `validatePhone`: `+` and spaces dropped, then E.164 digits. */
export function validatePhone(phone: string): string {
  const formatted = phone.replace(/^\+/, '').replaceAll(' ', '');
  if (!/^[1-9][0-9]{1,14}$/.test(formatted)) {
    throw new AuthError(400, 'validation_failed', 'Invalid phone number format (E.164 required)');
  }
  return formatted;
}

/** Metadata updates as GoTrue applies them: keys set to null are removed, others replaced. */
export function mergeMetadata(
  current: Record<string, unknown> | null,
  updates: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(updates)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}
