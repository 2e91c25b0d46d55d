import type { IncomingMessage } from 'node:http';
import { resolveApiKey, type StackConfig } from '../config.ts';
import type { Database, JwtClaims } from '../db/index.ts';
import { bearerToken } from '../http.ts';
import { signJwt, verifyJwt } from '../jwt.ts';
import { AuthError } from './auth-error.ts';
import { findUserById, isBanned, toUserJson, type UserJson, type UserRow } from './auth-user.ts';
import { sessionExists, type IssuedSession } from './auth-sessions.ts';

export interface TokenSettings {
  jwtSecret: string;
  expirySeconds: number;
  /** `<publicUrl>/auth/v1`, the `iss` Supabase Auth puts in its tokens. */
  issuer: string;
}

/** The session object of `/token` responses (GoTrue's `AccessTokenResponse`). */
export interface SessionJson {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: UserJson;
}

/** How the session began, as GoTrue records it in the token's `amr`: a password, or an emailed link or code. */
export type AuthenticationMethod = 'password' | 'otp';

/** Signs an access token with Supabase Auth's claims and wraps it in the session response. */
export async function issueAccessToken(
  user: UserRow,
  session: IssuedSession,
  settings: TokenSettings,
  method: AuthenticationMethod = 'password',
  now: Date = new Date(),
): Promise<SessionJson> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + settings.expirySeconds;
  const userJson = toUserJson(user);
  const claims = {
    iss: settings.issuer,
    sub: user.id,
    aud: userJson.aud,
    exp,
    iat,
    email: userJson.email,
    phone: userJson.phone,
    app_metadata: userJson.app_metadata,
    user_metadata: userJson.user_metadata,
    role: userJson.role,
    aal: 'aal1',
    amr: [{ method, timestamp: Math.floor(session.sessionCreatedAt.getTime() / 1000) }],
    session_id: session.sessionId,
    is_anonymous: user.is_anonymous,
  };
  const accessToken = await signJwt(claims, settings.jwtSecret);
  return {
    access_token: accessToken,
    token_type: 'bearer',
    expires_in: settings.expirySeconds,
    expires_at: exp,
    refresh_token: session.refreshToken,
    user: userJson,
  };
}

/** Go's jwt/v5 wording, which GoTrue puts after "invalid JWT: unable to parse or verify signature, ". */
const JWT_LIBRARY_MESSAGES = {
  expired: 'token has invalid claims: token is expired',
  signature: 'token signature is invalid: signature is invalid',
  malformed: 'token is malformed: could not base64 decode header',
  claims: 'token has invalid claims: token is missing required claim',
  missing: 'token is malformed: token contains an invalid number of segments',
} as const;

export interface Authenticated {
  user: UserRow;
  /** `session_id` of the token, when it names a session that still exists. */
  sessionId: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * GoTrue's `requireAuthentication`: a Bearer token signed by the project, whose `sub` is an
 * existing user and whose `session_id` (if any) is an existing session — so a token outlives a
 * logout only as far as endpoints that skip this check (PostgREST, Realtime) are concerned.
 */
/** A verified bearer token's claims, or GoTrue's 403 `bad_jwt` with jwt/v5's reason. */
async function verifiedClaims(token: string, jwtSecret: string): Promise<JwtClaims & { exp: number }> {
  const verified = await verifyJwt(token, jwtSecret);
  if (!verified.ok) {
    throw new AuthError(
      403,
      'bad_jwt',
      `invalid JWT: unable to parse or verify signature, ${JWT_LIBRARY_MESSAGES[verified.reason]}`,
    );
  }
  return verified.claims;
}

/** GoTrue's `maybeLoadUserOrSession`: the token's user must exist, and its session if it names one. */
async function loadUserAndSession(db: Database, claims: JwtClaims): Promise<Authenticated> {
  const { sub, session_id: sessionId } = claims;
  if (typeof sub !== 'string' || sub === '') throw new AuthError(403, 'bad_jwt', 'invalid claim: missing sub claim');
  if (!UUID.test(sub)) throw new AuthError(400, 'bad_jwt', 'invalid claim: sub claim must be a UUID');
  const user = await findUserById(db, sub);
  if (!user) throw new AuthError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
  if (typeof sessionId === 'string' && sessionId !== '' && sessionId !== NIL_UUID) {
    if (!UUID.test(sessionId)) throw new AuthError(403, 'bad_jwt', 'invalid claim: session_id claim must be a UUID');
    if (!(await sessionExists(db, sessionId))) {
      throw new AuthError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
    }
    return { user, sessionId };
  }
  return { user, sessionId: undefined };
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * GoTrue's `requireAuthentication`: a Bearer token signed by the project, whose `sub` is an
 * existing user and whose `session_id` (if any) is an existing session — so a token outlives a
 * logout only as far as endpoints that skip this check (PostgREST, Realtime) are concerned. A
 * banned user is refused here too.
 */
export async function authenticate(req: IncomingMessage, db: Database, jwtSecret: string): Promise<Authenticated> {
  const token = bearerToken(req);
  if (!token) throw new AuthError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
  const authenticated = await loadUserAndSession(db, await verifiedClaims(token, jwtSecret));
  if (isBanned(authenticated.user)) throw new AuthError(403, 'user_banned', 'User is banned');
  return authenticated;
}

/**
 * GoTrue's `requireAdminCredentials`: a Bearer token (an `sb_secret_` key counts as the
 * service_role JWT it stands for) whose role is `service_role`. A token naming a session must name
 * a live one. Anything else is 401 `no_authorization`, 403 `bad_jwt` or 403 `not_admin`.
 */
export async function requireAdmin(req: IncomingMessage, db: Database, config: StackConfig): Promise<void> {
  const raw = bearerToken(req);
  if (!raw) throw new AuthError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
  const claims = await verifiedClaims(resolveApiKey(config, raw), config.jwtSecret);
  if (typeof claims.session_id === 'string' && claims.session_id !== '' && claims.session_id !== NIL_UUID) {
    await loadUserAndSession(db, claims);
  }
  if (claims.role !== 'service_role') throw new AuthError(403, 'not_admin', 'User not allowed');
}
