import type { IncomingMessage } from 'node:http';
import bcrypt from 'bcryptjs';
import { z } from 'zod';
import type { Database } from '../db/index.ts';
import { issueAccessToken, type SessionJson, type TokenSettings } from './access-token.ts';
import { AuthError, OAuthError } from './auth-error.ts';
import { rotateRefreshToken } from './auth-sessions.ts';
import { findUserByEmail, findUserById, isBanned, type UserRow } from './auth-user.ts';
import { goString } from './go-json.ts';
import { readJsonBody } from './read-json-body.ts';
import { startSession } from './start-session.ts';

const INVALID_LOGIN = 'Invalid login credentials';

// Unknown keys (gotrue_meta_security, …) are accepted and ignored, as GoTrue's JSON decoding does.
const passwordGrantSchema = z.object({ email: goString(), phone: goString(), password: goString() });

const refreshGrantSchema = z.object({ refresh_token: goString() });

export interface GrantContext {
  db: Database;
  tokens: TokenSettings;
  refreshTokenReuseIntervalSeconds: number;
}

let dummyHash: string | undefined;

/** Compares against a throwaway hash for unknown users, so response time does not reveal which emails exist. */
async function passwordMatches(user: UserRow | undefined, password: string): Promise<boolean> {
  if (!user?.encrypted_password) {
    dummyHash ??= bcrypt.hashSync('pubdev-dummy-password', 6);
    await bcrypt.compare(password, dummyHash);
    return false;
  }
  return bcrypt.compare(password, user.encrypted_password);
}

/** `POST /token?grant_type=password` (GoTrue's `ResourceOwnerPasswordGrant`, email users). */
export async function passwordGrant(req: IncomingMessage, context: GrantContext): Promise<SessionJson> {
  const params = await readJsonBody(req, passwordGrantSchema);
  const { email, phone } = params;
  if (email !== '' && phone !== '') {
    throw new AuthError(400, 'validation_failed', 'Only an email address or phone number should be provided on login.');
  }
  if (email === '' && phone === '') throw new AuthError(400, 'validation_failed', 'missing email or phone');
  // Phone sign-in needs an SMS provider in Supabase; the local stack has none, so no phone user matches.
  const user = email !== '' ? await findUserByEmail(context.db, email) : undefined;
  if (!user || !user.encrypted_password) {
    await passwordMatches(undefined, params.password);
    throw new AuthError(400, 'invalid_credentials', INVALID_LOGIN);
  }
  if (isBanned(user)) throw new AuthError(400, 'user_banned', 'User is banned');
  if (!(await passwordMatches(user, params.password))) throw new AuthError(400, 'invalid_credentials', INVALID_LOGIN);
  if (user.email_confirmed_at === null) throw new AuthError(400, 'email_not_confirmed', 'Email not confirmed');

  return context.db.transaction((tx) => startSession(tx, req, user.id, context.tokens, 'password'));
}

/** `POST /token?grant_type=refresh_token` with rotation and reuse detection (see {@link rotateRefreshToken}). */
export async function refreshTokenGrant(req: IncomingMessage, context: GrantContext): Promise<SessionJson> {
  const params = await readJsonBody(req, refreshGrantSchema);
  if (params.refresh_token === '') throw new OAuthError('invalid_request', 'refresh_token required');
  const result = await context.db.transaction((tx) =>
    rotateRefreshToken(tx, params.refresh_token, context.refreshTokenReuseIntervalSeconds),
  );
  switch (result.kind) {
    case 'not_found':
      throw new AuthError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
    case 'no_session':
      throw new AuthError(400, 'session_not_found', 'Invalid Refresh Token: No Valid Session Found');
    case 'already_used':
      throw new AuthError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
    case 'issued': {
      const user = await findUserById(context.db, result.session.userId);
      if (!user) throw new AuthError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
      if (isBanned(user)) throw new AuthError(400, 'user_banned', 'Invalid Refresh Token: User Banned');
      return issueAccessToken(user, result.session, context.tokens);
    }
  }
}
