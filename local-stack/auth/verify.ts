import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { sendJson } from '../http.ts';
import type { SessionJson } from './access-token.ts';
import { takeRateLimit, type AuthContext } from './auth-context.ts';
import { AuthError } from './auth-error.ts';
import { validateEmail } from './email-address.ts';
import { goString } from './go-json.ts';
import { readJsonBody } from './read-json-body.ts';
import { referrer } from './redirect-url.ts';
import {
  CONFIRMATION_TYPES,
  OTHER_EMAIL_TYPES,
  verifyConfirmation,
  type ConfirmationProof,
} from './verify-confirmation.ts';

const verifyBodySchema = z.object({
  type: goString(),
  token: goString(),
  token_hash: goString(),
  email: goString(),
  phone: goString(),
  redirect_to: goString(),
});

/** GoTrue's OAuth error names for the statuses a verification fails with, used in the redirect. */
const OAUTH_ERRORS: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized_client',
  403: 'access_denied',
  500: 'server_error',
  503: 'temporarily_unavailable',
};

/** Go's `url.Values.Encode`: keys sorted, values query-escaped with `+` for spaces. */
function encodeSorted(values: Record<string, string>): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(values).sort()) params.set(key, values[key]!);
  return params.toString();
}

function redirect(res: ServerResponse, location: string): void {
  if (res.headersSent) return;
  res.writeHead(303, { location, 'content-length': 0 });
  res.end();
}

/** Where a failed link sends the person: the redirect URL with the error in its fragment (`prepErrorRedirectURL`). */
function errorLocation(redirectTo: string, error: AuthError): string {
  const fragment: Record<string, string> = {
    error_code: error.code,
    error_description: error.message,
    sb: '',
  };
  const oauthError = OAUTH_ERRORS[error.status];
  if (oauthError) fragment.error = oauthError;
  try {
    const url = new URL(redirectTo);
    url.hash = encodeSorted(fragment);
    return url.toString();
  } catch {
    return `${redirectTo}#${encodeSorted(fragment)}`;
  }
}

/** Where a used link sends the person: the session in the fragment, as supabase-js's `detectSessionInUrl` reads it. */
function sessionLocation(redirectTo: string, session: SessionJson, type: string): string {
  return `${redirectTo}#${encodeSorted({
    access_token: session.access_token,
    expires_at: String(session.expires_at),
    expires_in: String(session.expires_in),
    refresh_token: session.refresh_token,
    sb: '',
    token_type: session.token_type,
    type,
  })}`;
}

function checkType(type: string): void {
  const known: readonly string[] = [...CONFIRMATION_TYPES, ...OTHER_EMAIL_TYPES];
  if (!known.includes(type)) {
    throw new AuthError(400, 'validation_failed', 'Invalid email verification type');
  }
}

/**
 * `GET /auth/v1/verify?token=…&type=signup|invite&redirect_to=…`: what an emailed link opens. It
 * answers 303 either way, to the (allowed) `redirect_to` or the site URL: with the session in the
 * fragment on success, with `error`, `error_code` and `error_description` there when the link is
 * unknown, used or expired. A request missing its type or token is answered as JSON, as GoTrue does.
 * Email links are opened by browsers with no API key, so this path is open at the gateway.
 */
export async function verifyGet(req: IncomingMessage, res: ServerResponse, url: URL, context: AuthContext) {
  takeRateLimit(context.limits.verify, req);
  const type = url.searchParams.get('type') ?? '';
  const token = url.searchParams.get('token') ?? '';
  if (type === '') throw new AuthError(400, 'validation_failed', 'Verify requires a verification type');
  if (token === '') throw new AuthError(400, 'validation_failed', 'Verify requires a token or a token hash');
  const redirectTo = referrer(req, url, context.settings);
  try {
    checkType(type);
    // GoTrue's `email` type is whichever token matches; here that can only be a sign-up's.
    const effectiveType = type === 'email' ? 'signup' : type;
    const session = await verifyConfirmation(req, context, effectiveType, { tokenHash: token });
    redirect(res, sessionLocation(redirectTo, session, effectiveType));
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    redirect(res, errorLocation(redirectTo, error));
  }
}

/**
 * `POST /auth/v1/verify` (supabase-js `verifyOtp`): `{type, token_hash}` or `{type, email,
 * token}` for a sign-up or invite code; answers the session as JSON.
 */
export async function verifyPost(req: IncomingMessage, res: ServerResponse, context: AuthContext) {
  takeRateLimit(context.limits.verify, req);
  const params = await readJsonBody(req, verifyBodySchema, { emptyIsObject: false });
  if (params.type === '') throw new AuthError(400, 'validation_failed', 'Verify requires a verification type');
  if ((params.token === '') === (params.token_hash === '')) {
    throw new AuthError(400, 'validation_failed', 'Verify requires either a token or a token hash');
  }
  let proof: ConfirmationProof;
  if (params.token !== '') {
    if (params.phone !== '' && params.email === '') {
      // Phone codes need an SMS provider; no phone user can have one here.
      throw new AuthError(403, 'otp_expired', 'Token has expired or is invalid');
    }
    if (params.email === '') {
      throw new AuthError(
        400,
        'validation_failed',
        'Only an email address or phone number should be provided on verify',
      );
    }
    let email: string;
    try {
      email = validateEmail(params.email);
    } catch {
      throw new AuthError(422, 'validation_failed', 'Invalid email format');
    }
    // A code for any other type is checked against that type's token, which this server never issues.
    if (!(CONFIRMATION_TYPES as readonly string[]).includes(params.type)) {
      throw new AuthError(403, 'otp_expired', 'Token has expired or is invalid');
    }
    proof = { email, otp: params.token };
  } else {
    if (params.email !== '' || params.phone !== '' || params.redirect_to !== '') {
      throw new AuthError(400, 'validation_failed', 'Only the token_hash and type should be provided');
    }
    checkType(params.type);
    proof = { tokenHash: params.token_hash };
  }
  const type = params.type === 'email' ? 'signup' : params.type;
  sendJson(res, 200, await verifyConfirmation(req, context, type, proof));
}
