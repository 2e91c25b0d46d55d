import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { sendEmpty, sendJson } from '../http.ts';
import { authenticate } from './access-token.ts';
import type { AuthContext } from './auth-context.ts';
import { AuthError, OAuthError } from './auth-error.ts';
import { logout } from './auth-sessions.ts';
import { toUserJson } from './auth-user.ts';
import { adminRoutes, type Route } from './admin-routes.ts';
import type { IpRateLimit } from './ip-rate-limit.ts';
import { signup } from './signup.ts';
import { passwordGrant, refreshTokenGrant } from './token-grants.ts';
import { updateOwnUser } from './user-update.ts';
import { verifyGet, verifyPost } from './verify.ts';

export const AUTH_PREFIX = '/auth/v1';
/** Opened by browsers from an email, with no API key; Supabase's gateway routes it without key-auth. */
export const AUTH_OPEN_PATHS = [`${AUTH_PREFIX}/verify`];

const logoutScopeSchema = z.enum(['global', 'local', 'others']);

/** `GET /settings`: which sign-in methods this server offers, as GoTrue's `Settings` reports them. */
function settingsJson(context: AuthContext) {
  return {
    external: { anonymous_users: false, email: context.settings.enableEmailSignup, phone: false },
    disable_signup: !context.settings.enableSignup,
    mailer_autoconfirm: !context.settings.enableConfirmations,
    phone_autoconfirm: false,
    sms_provider: '',
    saml_enabled: false,
    passkeys_enabled: false,
  };
}

/** The route table of `/auth/v1`, with GoTrue's 404 for anything else. */
export function createAuthRouter(context: AuthContext, tokenRateLimit: IpRateLimit) {
  const { db, config } = context;
  const grants = {
    db,
    tokens: context.tokens,
    refreshTokenReuseIntervalSeconds: config.refreshTokenReuseIntervalSeconds,
  };
  const routes: Route[] = [
    {
      method: 'POST',
      path: /^\/token$/,
      async handle(req, res, url) {
        if (!tokenRateLimit.take(req.socket.remoteAddress ?? '')) {
          throw new AuthError(429, 'over_request_rate_limit', 'Request rate limit reached');
        }
        const grantType = url.searchParams.get('grant_type');
        if (grantType === 'password') return sendJson(res, 200, await passwordGrant(req, grants));
        if (grantType === 'refresh_token') return sendJson(res, 200, await refreshTokenGrant(req, grants));
        throw new OAuthError('unsupported_grant_type');
      },
    },
    {
      method: 'POST',
      path: /^\/signup$/,
      async handle(req, res, url) {
        sendJson(res, 200, await signup(req, url, context));
      },
    },
    {
      method: 'GET',
      path: /^\/verify$/,
      async handle(req, res, url) {
        await verifyGet(req, res, url, context);
      },
    },
    {
      method: 'POST',
      path: /^\/verify$/,
      async handle(req, res) {
        await verifyPost(req, res, context);
      },
    },
    {
      method: 'PUT',
      path: /^\/user$/,
      async handle(req, res) {
        sendJson(res, 200, await updateOwnUser(req, context));
      },
    },
    {
      method: 'GET',
      path: /^\/user$/,
      async handle(req, res) {
        const { user } = await authenticate(req, db, config.jwtSecret);
        sendJson(res, 200, toUserJson(user));
      },
    },
    {
      method: 'POST',
      path: /^\/logout$/,
      async handle(req, res, url) {
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
        sendEmpty(res, 204);
      },
    },
    {
      method: 'GET',
      path: /^\/settings$/,
      async handle(_req, res) {
        sendJson(res, 200, settingsJson(context));
      },
    },
    {
      method: 'GET',
      path: /^\/health$/,
      async handle(_req, res) {
        sendJson(res, 200, {
          version: 'pubdev-local',
          name: 'GoTrue',
          description: 'GoTrue is a user registration and authentication API',
        });
      },
    },
    ...adminRoutes(context),
  ];

  return async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.slice(AUTH_PREFIX.length).replace(/\/$/, '') || '/';
    const method = req.method ?? 'GET';
    for (const candidate of routes) {
      if (candidate.method !== method) continue;
      const match = candidate.path.exec(path);
      if (match) return candidate.handle(req, res, url, match.slice(1));
    }
    throw new AuthError(404, 'not_found', 'Not Found');
  };
}
