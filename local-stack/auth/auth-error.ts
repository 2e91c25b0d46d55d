import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerValue, sendJson } from '../http.ts';

/** The GoTrue error codes this stand-in emits (a subset of Supabase Auth's `ErrorCode`s). */
export type AuthErrorCode =
  | 'bad_json'
  | 'request_entity_too_large'
  | 'validation_failed'
  | 'weak_password'
  | 'email_address_invalid'
  | 'email_provider_disabled'
  | 'phone_provider_disabled'
  | 'anonymous_provider_disabled'
  | 'signup_disabled'
  | 'user_already_exists'
  | 'same_password'
  | 'otp_expired'
  | 'over_email_send_rate_limit'
  | 'invalid_credentials'
  | 'email_not_confirmed'
  | 'user_banned'
  | 'refresh_token_not_found'
  | 'refresh_token_already_used'
  | 'session_not_found'
  | 'no_authorization'
  | 'bad_jwt'
  | 'user_not_found'
  | 'not_admin'
  | 'email_exists'
  | 'phone_exists'
  | 'not_found'
  | 'over_request_rate_limit'
  | 'unexpected_failure';

/** A refusal with Supabase Auth's status, machine code and human message. */
export class AuthError extends Error {
  /** Why a password was refused (GoTrue's `weak_password.reasons`): `length`, `characters`. */
  readonly weakPasswordReasons: readonly string[] | undefined;

  constructor(
    readonly status: number,
    readonly code: AuthErrorCode,
    message: string,
    options: { weakPasswordReasons?: readonly string[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuthError';
    this.weakPasswordReasons = options.weakPasswordReasons;
  }
}

/** GoTrue's `WeakPasswordError`: 422 with the reasons beside the message. */
export function weakPasswordError(message: string, reasons: readonly string[]): AuthError {
  return new AuthError(422, 'weak_password', message, { weakPasswordReasons: reasons });
}

const API_VERSION_HEADER = 'x-supabase-api-version';
const API_VERSION_2024_01_01 = '2024-01-01';

/**
 * The API version the client asked for. GoTrue answers errors in the `2024-01-01` shape only to
 * clients that send `X-Supabase-Api-Version` of that date or later (supabase-js and supabase-py
 * both do); older clients get the legacy shape.
 */
function requestsVersion20240101(req: IncomingMessage): boolean {
  const value = headerValue(req, API_VERSION_HEADER);
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  return value >= API_VERSION_2024_01_01;
}

/**
 * Answers an error as GoTrue's `HandleResponseError` does: `{code, message}` plus the echoed
 * version header for 2024-01-01 clients (auth-js reads `code` only when that header is present),
 * else the legacy `{code: <status>, error_code, msg}`.
 */
export function sendAuthError(req: IncomingMessage, res: ServerResponse, error: AuthError): void {
  const weak = error.weakPasswordReasons ? { weak_password: { reasons: error.weakPasswordReasons } } : {};
  if (requestsVersion20240101(req)) {
    // GoTrue sets x-sb-error-code on every coded error except a weak password in this version.
    const codeHeader: Record<string, string> = error.weakPasswordReasons ? {} : { 'x-sb-error-code': error.code };
    sendJson(
      res,
      error.status,
      { code: error.code, message: error.message, ...weak },
      { [API_VERSION_HEADER]: API_VERSION_2024_01_01, ...codeHeader },
    );
    return;
  }
  sendJson(
    res,
    error.status,
    { code: error.status, error_code: error.code, msg: error.message, ...weak },
    { 'x-sb-error-code': error.code },
  );
}

/** GoTrue's OAuth2-style refusal (`{error, error_description}`, always 400), used by the /token grant plumbing. */
export class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'unsupported_grant_type',
    readonly description: string = '',
  ) {
    super(description || error);
    this.name = 'OAuthError';
  }
}

export function sendOAuthError(res: ServerResponse, error: OAuthError): void {
  sendJson(
    res,
    400,
    error.description ? { error: error.error, error_description: error.description } : { error: error.error },
  );
}
