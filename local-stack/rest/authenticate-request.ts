import type { IncomingMessage } from 'node:http';
import type { StackConfig } from '../config.ts';
import { isApiRole, type JwtClaims } from '../db/index.ts';
import { requestIdentity } from '../request-identity.ts';
import { PostgrestError } from './postgrest-error.ts';

export interface RestIdentity {
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
 * The JWT a request runs as (see request-identity.ts: bearer, else the API key the gateway
 * checked), with PostgREST's refusals.
 */
export async function authenticateRequest(req: IncomingMessage, config: StackConfig): Promise<RestIdentity> {
  const result = await requestIdentity(req, config, { apiKeyFallback: true });
  if (!result.ok) {
    switch (result.reason) {
      case 'expired':
        throw invalidToken('PGRST303', 'JWT expired');
      case 'signature':
        throw invalidToken('PGRST301', 'No suitable key or wrong key type');
      case 'missing':
      case 'malformed': {
        const parts = (result.token ?? '').split('.').length;
        throw invalidToken(
          'PGRST301',
          parts === 3 ? 'JWT cryptographic operation failed' : `Expected 3 parts in JWT; got ${parts}`,
        );
      }
      default:
        // PostgREST itself accepts tokens without exp; the local stack shares Realtime's rule (role and exp required).
        throw invalidToken('PGRST301', result.message);
    }
  }
  const { claims } = result.identity;
  if (!isApiRole(claims.role)) {
    // PostgREST would try `set role` and fail: the authenticator is only granted the API roles.
    throw new PostgrestError(403, '42501', `permission denied to set role "${claims.role}"`);
  }
  return { claims, anonymous: claims.role === 'anon' };
}
