import { decodeJwt } from 'jose';
import type { JwtClaims } from '../db/index.ts';
import { verifyJwt } from '../jwt.ts';

/**
 * Validates a channel's token (join `access_token`, or the `access_token` event) with the reasons
 * Realtime gives: `joinReason` for a join error reply (§2.4), `message` for the system message
 * that precedes `phx_close` on an open channel (§6.4).
 */
export type ChannelTokenCheck =
  | { ok: true; claims: JwtClaims & { exp: number } }
  | { ok: false; joinReason: string; message: string };

export async function checkChannelToken(token: string, secret: string, now: Date): Promise<ChannelTokenCheck> {
  const verified = await verifyJwt(token, secret, now);
  if (verified.ok) return verified;
  switch (verified.reason) {
    case 'expired': {
      if (expClaim(token) <= 0) {
        return {
          ok: false,
          joinReason: 'InvalidJWTToken: Token expiration time is invalid',
          message: 'Token expiration time is invalid',
        };
      }
      const message = `Token has expired ${verified.expiredSecondsAgo} seconds ago`;
      return { ok: false, joinReason: `InvalidJWTToken: ${message}`, message };
    }
    case 'claims':
      return { ok: false, joinReason: `InvalidJWTToken: ${verified.message}`, message: verified.message };
    case 'signature':
      return { ok: false, joinReason: `JwtSignatureError: ${verified.message}`, message: verified.message };
    case 'missing':
    case 'malformed':
      return {
        ok: false,
        joinReason: 'MalformedJWT: The token provided is not a valid JWT',
        message: 'The token provided is not a valid JWT',
      };
  }
}

function expClaim(token: string): number {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? exp : Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
