import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { errorStack } from '../errors.ts';
import { sendEmpty, sendJson } from '../http.ts';
import type { LocalService, ServiceContext } from '../service.ts';
import { authenticate, type TokenSettings } from './access-token.ts';
import { AuthError, OAuthError, sendAuthError, sendOAuthError } from './auth-error.ts';
import { logout } from './auth-sessions.ts';
import { toUserJson } from './auth-user.ts';
import { passwordGrant, refreshTokenGrant, type GrantContext } from './token-grants.ts';
import { createTokenRateLimit } from './token-rate-limit.ts';

const PREFIX = '/auth/v1';

const logoutScopeSchema = z.enum(['global', 'local', 'others']);

/**
 * `/auth/v1`: the part of Supabase Auth (GoTrue) that supabase-js and supabase-py use for
 * password users — `/token` (password and refresh_token grants), `/user`, `/logout`, `/settings`,
 * `/health`. Users, sessions and refresh tokens live in the shim's `auth.*` tables; the service
 * queries them as the database owner, as GoTrue does, with bound parameters only.
 */
export async function createAuthService(context: ServiceContext): Promise<LocalService> {
  const { db, config } = context;
  const tokens: TokenSettings = {
    jwtSecret: config.jwtSecret,
    expirySeconds: config.jwtExpirySeconds,
    issuer: `${context.publicUrl}${PREFIX}`,
  };
  const grants: GrantContext = {
    db,
    tokens,
    refreshTokenReuseIntervalSeconds: config.refreshTokenReuseIntervalSeconds,
  };
  const tokenRateLimit = createTokenRateLimit(config.authRateLimitToken, () => context.clock.now());

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.slice(PREFIX.length) || '/';
    const method = req.method ?? 'GET';
    if (method === 'POST' && path === '/token') {
      if (!tokenRateLimit.take(req.socket.remoteAddress ?? '')) {
        throw new AuthError(429, 'over_request_rate_limit', 'Request rate limit reached');
      }
      const grantType = url.searchParams.get('grant_type');
      if (grantType === 'password') return sendJson(res, 200, await passwordGrant(req, grants));
      if (grantType === 'refresh_token') return sendJson(res, 200, await refreshTokenGrant(req, grants));
      throw new OAuthError('unsupported_grant_type');
    }
    if (method === 'GET' && path === '/user') {
      const { user } = await authenticate(req, db, config.jwtSecret);
      return sendJson(res, 200, toUserJson(user));
    }
    if (method === 'POST' && path === '/logout') {
      const scope = logoutScopeSchema.safeParse(url.searchParams.get('scope') ?? 'global');
      if (!scope.success) {
        throw new AuthError(
          400,
          'validation_failed',
          `Unsupported logout scope ${JSON.stringify(url.searchParams.get('scope'))}`,
        );
      }
      const { user, sessionId } = await authenticate(req, db, config.jwtSecret);
      await db.transaction(async (tx) => {
        // A token without a session (e.g. minted by hand) logs out everything of its user, as GoTrue does.
        if (sessionId === undefined) await logout(tx, 'global', user.id, '00000000-0000-0000-0000-000000000000');
        else await logout(tx, scope.data, user.id, sessionId);
      });
      return sendEmpty(res, 204);
    }
    if (method === 'GET' && path === '/settings') return sendJson(res, 200, settings());
    if (method === 'GET' && path === '/health') {
      return sendJson(res, 200, {
        version: 'pubdev-local',
        name: 'GoTrue',
        description: 'GoTrue is a user registration and authentication API',
      });
    }
    throw new AuthError(404, 'not_found', 'Not Found');
  }

  return {
    prefix: PREFIX,
    requiresApiKey: true,
    description: `${PREFIX} Supabase Auth subset: /token (password, refresh_token), /user, /logout, /settings, /health`,
    async handleRequest(req, res, url) {
      try {
        await route(req, res, url);
      } catch (error) {
        if (error instanceof AuthError) return sendAuthError(req, res, error);
        if (error instanceof OAuthError) return sendOAuthError(res, error);
        context.log(`auth: ${errorStack(error)}`);
        sendAuthError(
          req,
          res,
          new AuthError(500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information'),
        );
      }
    },
    async close() {},
  };
}

/** What `GET /auth/v1/settings` reports: email/password sign-in on, everything else off. */
function settings() {
  return {
    external: { anonymous_users: false, email: true, phone: false },
    disable_signup: true,
    mailer_autoconfirm: false,
    phone_autoconfirm: false,
    sms_provider: '',
    saml_enabled: false,
  };
}
