import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { JwtClaims } from './db/index.ts';

/**
 * Why a token was refused, with Supabase Realtime's wording (protocol reference §1.2, §2.4).
 * The REST, auth and functions parts map the same reasons onto their own status codes.
 */
export type JwtFailure =
  | { reason: 'missing'; message: 'API key is missing' }
  | { reason: 'expired'; message: 'Token has expired'; expiredSecondsAgo: number }
  | { reason: 'claims'; message: 'Fields `role` and `exp` are required in JWT' }
  | { reason: 'malformed'; message: 'The token provided is not a valid JWT' }
  | { reason: 'signature'; message: 'Failed to validate JWT signature' };

export type JwtVerification = { ok: true; claims: JwtClaims & { exp: number } } | ({ ok: false } & JwtFailure);

const encoder = new TextEncoder();

function secretKey(secret: string): Uint8Array {
  return encoder.encode(secret);
}

/** Verifies an HS256/384/512 JWT signed with the project's secret and requires `role` and `exp`. */
export async function verifyJwt(token: unknown, secret: string, now: Date = new Date()): Promise<JwtVerification> {
  if (typeof token !== 'string' || token === '') return { ok: false, reason: 'missing', message: 'API key is missing' };
  let payload: JWTPayload;
  try {
    // Expiry is checked below so the refusal can say how long ago the token expired.
    ({ payload } = await jwtVerify(token, secretKey(secret), {
      algorithms: ['HS256', 'HS384', 'HS512'],
      currentDate: new Date(0),
    }));
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return { ok: false, reason: 'signature', message: 'Failed to validate JWT signature' };
    }
    return { ok: false, reason: 'malformed', message: 'The token provided is not a valid JWT' };
  }
  if (typeof payload.role !== 'string' || typeof payload.exp !== 'number') {
    return { ok: false, reason: 'claims', message: 'Fields `role` and `exp` are required in JWT' };
  }
  if (payload.iat !== undefined && typeof payload.iat !== 'number') {
    return { ok: false, reason: 'malformed', message: 'The token provided is not a valid JWT' };
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (payload.exp <= nowSeconds) {
    return { ok: false, reason: 'expired', message: 'Token has expired', expiredSecondsAgo: nowSeconds - payload.exp };
  }
  return { ok: true, claims: payload as JwtClaims & { exp: number } };
}

/** Signs claims with HS256, as Supabase Auth does for access tokens. */
export async function signJwt(claims: Record<string, unknown>, secret: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secretKey(secret));
}
