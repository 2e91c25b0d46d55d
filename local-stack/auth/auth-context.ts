import type { IncomingMessage } from 'node:http';
import type { StackConfig } from '../config.ts';
import type { Database } from '../db/index.ts';
import type { TokenSettings } from './access-token.ts';
import { AuthError } from './auth-error.ts';
import type { AuthSettings } from './auth-settings.ts';
import type { IpRateLimit } from './ip-rate-limit.ts';
import type { LocalMailer } from './local-mailer.ts';

/** What every /auth/v1 handler works with, built once per stack (local-stack/auth/index.ts). */
export interface AuthContext {
  db: Database;
  config: StackConfig;
  settings: AuthSettings;
  tokens: TokenSettings;
  mailer: LocalMailer;
  /** `<publicUrl>/auth/v1`. */
  authUrl: string;
  limits: {
    /** `POST /signup` (`sign_in_sign_ups`). */
    signUps: IpRateLimit;
    /** `PUT /user`: its own bucket at the same rate as sign-ups, as in GoTrue. */
    userUpdates: IpRateLimit;
    /** `GET`/`POST /verify` (`token_verifications`). */
    verify: IpRateLimit;
  };
}

/** Answers 429 `over_request_rate_limit` when the client's IP has used up `limit`. */
export function takeRateLimit(limit: IpRateLimit, req: IncomingMessage): void {
  if (!limit.take(req.socket.remoteAddress ?? '')) {
    throw new AuthError(429, 'over_request_rate_limit', 'Request rate limit reached');
  }
}
