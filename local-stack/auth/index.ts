import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorStack } from '../errors.ts';
import type { LocalService, ServiceContext } from '../service.ts';
import type { TokenSettings } from './access-token.ts';
import type { AuthContext } from './auth-context.ts';
import { AuthError, OAuthError, sendAuthError, sendOAuthError } from './auth-error.ts';
import { loadAuthSettings } from './auth-settings.ts';
import { createEmailRateLimit, createIpRateLimit } from './ip-rate-limit.ts';
import { createLocalMailer } from './local-mailer.ts';
import { AUTH_OPEN_PATHS, AUTH_PREFIX, createAuthRouter } from './routes.ts';

/**
 * `/auth/v1`: the part of Supabase Auth (GoTrue) that supabase-js and supabase-py use for email
 * users — password and refresh-token grants, sign-up with or without email confirmation, the
 * emailed links (`/verify`), the user's own record, logout, and the service-role admin API (users,
 * invites, generated links). Users, identities, sessions and tokens live in the database's `auth.*`
 * tables; the service queries them as the database owner, as GoTrue does, with bound parameters
 * only. Emails go to an in-memory inbox (`GET /auth/v1/_inbox`) and the log instead of a mail server.
 */
export async function createAuthService(context: ServiceContext): Promise<LocalService> {
  const { db, config } = context;
  const settings = await loadAuthSettings(config);
  const now = () => context.clock.now();
  const authUrl = `${context.publicUrl}${AUTH_PREFIX}`;
  const tokens: TokenSettings = {
    jwtSecret: config.jwtSecret,
    expirySeconds: config.jwtExpirySeconds,
    issuer: authUrl,
  };
  const auth: AuthContext = {
    db,
    config,
    settings,
    tokens,
    authUrl,
    mailer: createLocalMailer({
      authUrl,
      emailRateLimit: createEmailRateLimit(settings.rateLimitEmailSent, now),
      autoconfirm: !settings.enableConfirmations,
      emailValidationExtended: settings.emailValidationExtended,
      log: context.log,
    }),
    limits: {
      signUps: createIpRateLimit(settings.rateLimitSignUps, now),
      userUpdates: createIpRateLimit(settings.rateLimitSignUps, now),
      verify: createIpRateLimit(settings.rateLimitVerify, now),
    },
  };
  const route = createAuthRouter(auth, createIpRateLimit(config.authRateLimitToken, now));

  return {
    prefix: AUTH_PREFIX,
    requiresApiKey: true,
    openPaths: AUTH_OPEN_PATHS,
    description: `${AUTH_PREFIX} Supabase Auth: /token, /signup, /verify, /user, /logout, /invite, /admin/users, /admin/generate_link, /_inbox (local emails), /settings, /health`,
    async handleRequest(req: IncomingMessage, res: ServerResponse, url: URL) {
      try {
        await route(req, res, url);
      } catch (error) {
        if (error instanceof AuthError) {
          if (error.status >= 500) context.log(`auth: ${error.message}: ${errorStack(error.cause ?? error)}`);
          return sendAuthError(req, res, error);
        }
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
