/**
 * The fixture users and the tokens the suites sign for them: what Supabase Auth would put in a
 * signed-in user's access token, signed with the stack's secret.
 */
import { fixture, signJwt } from '../../local-stack/index.ts';

export type FixtureUser = keyof typeof fixture.USERS;

export interface ClaimOptions {
  /** Lifetime from `now`; negative for a token that has already expired. */
  ttlSeconds?: number;
  /** Epoch seconds the token is issued at (a stack clock that was moved); the wall clock by default. */
  now?: number;
  /** Claims to add or override (a session id, a role an attacker would like). */
  extra?: Record<string, unknown>;
}

export function fixtureClaims(
  user: FixtureUser,
  options: ClaimOptions = {},
): Record<string, unknown> & { role: string; sub: string; exp: number } {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const { id, email } = fixture.USERS[user];
  return {
    sub: id,
    email,
    role: 'authenticated',
    aud: 'authenticated',
    iat: now,
    exp: now + (options.ttlSeconds ?? 3600),
    ...options.extra,
  };
}

/** A fixture user's access token, signed with `secret`. */
export function signFixtureToken(
  secret: string,
  user: FixtureUser,
  ttlSeconds = 3600,
  options: Omit<ClaimOptions, 'ttlSeconds'> = {},
): Promise<string> {
  return signJwt(fixtureClaims(user, { ...options, ttlSeconds }), secret);
}
