import type { IncomingMessage } from 'node:http';
import type { Queryable } from '../db/index.ts';
import { headerValue } from '../http.ts';
import { issueAccessToken, type AuthenticationMethod, type SessionJson, type TokenSettings } from './access-token.ts';
import { createSession } from './auth-sessions.ts';
import { recordSignIn } from './auth-user.ts';

/**
 * GoTrue's `IssueRefreshToken`: a new session with its first refresh token, the user's
 * `last_sign_in_at` stamped, and the access token. Runs inside the caller's transaction so the
 * session exists only if everything before it (a sign-up, a confirmation) was committed with it.
 */
export async function startSession(
  tx: Queryable,
  req: IncomingMessage,
  userId: string,
  tokens: TokenSettings,
  method: AuthenticationMethod,
): Promise<SessionJson> {
  const client = { userAgent: headerValue(req, 'user-agent'), ip: req.socket.remoteAddress };
  const session = await createSession(tx, userId, client);
  const user = await recordSignIn(tx, userId);
  return issueAccessToken(user, session, tokens, method);
}
