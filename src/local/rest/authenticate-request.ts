import type { IncomingMessage } from 'node:http';
import { resolveApiKey, type StackConfig } from '../config.ts';
import type { JwtClaims } from '../db/index.ts';
import { bearerToken, headerValue } from '../http.ts';
import { verifyJwt } from '../jwt.ts';
import { PostgrestError } from './postgrest-error.ts';

const API_ROLES = new Set(['anon', 'authenticated', 'service_role']);

export interface RequestIdentity {
  claims: JwtClaims;
  /** The anon role: an RLS refusal is 401 for it and 403 for everyone else. */
  anonymous: boolean;
}

function invalidToken(code: 'PGRST301' | 'PGRST303', message: string): PostgrestError {
  return new PostgrestError(401, code, message, null, null, {
    'www-authenticate': `Bearer error="invalid_token", error_description="${message}"`,
  });
}

/**
 * The JWT a request runs as: `Authorization: Bearer …`, else the `apikey` header (what the
 * gateway and PostgREST do together). `sb_` keys stand for the anon/service_role JWTs.
 */
export async function authenticateRequest(req: IncomingMessage, config: StackConfig): Promise<RequestIdentity> {
  const token = bearerToken(req) ?? headerValue(req, 'apikey');
  if (!token) {
    throw new PostgrestError(401, 'PGRST301', 'No API key found in request', null, 'No `apikey` request header or url param was found.');
  }
  const verification = await verifyJwt(resolveApiKey(config, token), config.jwtSecret);
  if (!verification.ok) {
    switch (verification.reason) {
      case 'expired':
        throw invalidToken('PGRST303', 'JWT expired');
      case 'signature':
        throw invalidToken('PGRST301', 'No suitable key or wrong key type');
      case 'malformed': {
        const parts = token.split('.').length;
        throw invalidToken('PGRST301', parts === 3 ? 'JWT cryptographic operation failed' : `Expected 3 parts in JWT; got ${parts}`);
      }
      default:
        // PostgREST itself accepts tokens without exp; the local stack shares Realtime's rule (role and exp required).
        throw invalidToken('PGRST301', verification.message);
    }
  }
  const { claims } = verification;
  if (!API_ROLES.has(claims.role)) {
    // PostgREST would try `set role` and fail: the authenticator is only granted the API roles.
    throw new PostgrestError(403, '42501', `permission denied to set role "${claims.role}"`);
  }
  return { claims, anonymous: claims.role === 'anon' };
}
