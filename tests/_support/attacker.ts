/**
 * Helpers for the attacker suites: tokens an outsider could make without the project's secret
 * (and a few a secret holder could make that still must not escalate), and "nothing arrived"
 * checks that end when a later legitimate message does, instead of sleeping.
 */
import { expect } from 'vitest';
import { signJwt } from '../../local-stack/index.ts';
import type { Inbox } from './inbox.ts';
import { fixtureClaims, type FixtureUser } from './tokens.ts';

export type { FixtureUser } from './tokens.ts';

/** A secret that is not the project's, long enough for HS256. */
const ATTACKER_SECRET = 'attacker-secret-that-is-not-the-project-secret-000';

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function userClaims(user: FixtureUser, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return fixtureClaims(user, { extra });
}

/** A token without the secret's signature on these exact claims. */
export type ForgeryKind = 'otherSecret' | 'algNone' | 'editedPayload' | 'expired' | 'missingExp' | 'missingRole';

export const FORGERIES: readonly ForgeryKind[] = [
  'otherSecret',
  'algNone',
  'editedPayload',
  'expired',
  'missingExp',
  'missingRole',
];

/**
 * The forged tokens, each aiming at `service_role` where the forgery allows a role choice, so a
 * mistake in verification would show up as escalation rather than as a quiet pass.
 * `expired`/`missing*` are validly signed (an old or hand-made token): only the claims are wrong.
 */
export async function forgeToken(kind: ForgeryKind, secret: string): Promise<string> {
  const escalated = userClaims('globexMember', { role: 'service_role' });
  switch (kind) {
    case 'otherSecret':
      return signJwt(escalated, ATTACKER_SECRET);
    case 'algNone':
      return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(escalated)}.`;
    case 'editedPayload': {
      // A genuine member token whose payload was changed to service_role after signing.
      const [header, , signature] = (await signJwt(userClaims('globexMember'), secret)).split('.');
      return `${header}.${base64url(escalated)}.${signature}`;
    }
    case 'expired':
      return signJwt(userClaims('globexMember', { iat: 1_600_000_000, exp: 1_600_000_600 }), secret);
    case 'missingExp': {
      const { exp: _exp, ...claims } = userClaims('globexMember');
      return signJwt(claims, secret);
    }
    case 'missingRole': {
      const { role: _role, ...claims } = userClaims('globexMember');
      return signJwt(claims, secret);
    }
  }
}

/**
 * Roles a token may name but that no API may run SQL as: superusers and Supabase's internal roles.
 * Tokens carrying them are validly signed (only a secret holder can make them).
 */
export const NON_API_ROLES = ['postgres', 'supabase_admin', 'authenticator', 'pg_read_all_data'] as const;

export function signedWithRole(secret: string, role: string, user: FixtureUser = 'globexMember'): Promise<string> {
  return signJwt(userClaims(user, { role }), secret);
}

/**
 * Waits for the first item matching `legit` and asserts that nothing matching `forged` came
 * before it (or with it): delivery is ordered per channel, so a forged message sent before the
 * legitimate one would have arrived first.
 */
export async function expectOnlyLegit<T>(
  inbox: Inbox<T>,
  legit: (item: T) => boolean,
  forged: (item: T) => boolean,
  what: string,
): Promise<T> {
  const arrived = await inbox.next(legit, what);
  expect(inbox.items.filter(forged)).toEqual([]);
  return arrived;
}
