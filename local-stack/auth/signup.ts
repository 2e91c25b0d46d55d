import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { SessionJson } from './access-token.ts';
import { takeRateLimit, type AuthContext } from './auth-context.ts';
import { AuthError } from './auth-error.ts';
import { findUserByEmail, reloadUser, toUserJson, type UserJson, type UserRow } from './auth-user.ts';
import { confirmEmail } from './confirmation.ts';
import { hashPassword, insertUser } from './create-user.ts';
import { validateEmail } from './email-address.ts';
import { goMap, goString } from './go-json.ts';
import { createEmailIdentity } from './identities.ts';
import { checkPasswordStrength } from './password-strength.ts';
import { readJsonBody } from './read-json-body.ts';
import { referrer } from './redirect-url.ts';
import { sendConfirmation } from './send-confirmation.ts';
import { startSession } from './start-session.ts';

/** `POST /signup`'s body as auth-js sends it; unknown keys (`gotrue_meta_security`, …) are ignored, as Go's decoder does. */
const signupSchema = z.object({
  email: goString(),
  phone: goString(),
  password: goString(),
  data: goMap(),
  code_challenge: goString(),
  code_challenge_method: goString(),
});

const EMAIL_APP_METADATA = { provider: 'email', providers: ['email'] };

/**
 * What GoTrue answers a sign-up for an address that is already registered and confirmed while
 * confirmations are on: a made-up user (new random id, no identities), indistinguishable from a
 * first sign-up, so the endpoint does not tell who has an account (`sanitizeUser`).
 */
function decoyUser(email: string, data: Record<string, unknown>): UserJson {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    aud: 'authenticated',
    role: '',
    email,
    phone: '',
    confirmation_sent_at: now,
    app_metadata: EMAIL_APP_METADATA,
    user_metadata: data,
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  };
}

function validatePkce(method: string, challenge: string): void {
  if ((challenge === '') !== (method === '')) {
    throw new AuthError(400, 'validation_failed', 'PKCE flow requires code_challenge_method and code_challenge');
  }
}

type SignupOutcome = { kind: 'session'; session: SessionJson } | { kind: 'user'; user: UserRow } | { kind: 'exists' };

/**
 * `POST /auth/v1/signup` for email and password, in GoTrue's order (`Signup`): body, anonymous
 * check, the per-IP sign-up limit, `signup_disabled`, password strength, the address, then one
 * transaction that creates the user (its profile comes from the project's trigger) and either
 * confirms it and starts a session (confirmations off) or emails a confirmation link.
 */
export async function signup(req: IncomingMessage, url: URL, context: AuthContext): Promise<SessionJson | UserJson> {
  const params = await readJsonBody(req, signupSchema, { emptyIsObject: false });
  if (params.email === '' && params.phone === '') {
    throw new AuthError(422, 'anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
  }
  takeRateLimit(context.limits.signUps, req);
  const { settings } = context;
  if (!settings.enableSignup) throw new AuthError(422, 'signup_disabled', 'Signups not allowed for this instance');
  if (params.password === '') throw new AuthError(400, 'validation_failed', 'Signup requires a valid password');
  checkPasswordStrength(params.password, settings);
  if (params.email !== '' && params.phone !== '') {
    throw new AuthError(
      400,
      'validation_failed',
      'Only an email address or phone number should be provided on signup.',
    );
  }
  validatePkce(params.code_challenge_method, params.code_challenge);
  // Phone sign-ups need an SMS provider; the local stack has none, as [auth.sms] enable_signup = false.
  if (params.email === '') throw new AuthError(400, 'phone_provider_disabled', 'Phone signups are disabled');
  if (!settings.enableEmailSignup) throw new AuthError(400, 'email_provider_disabled', 'Email signups are disabled');
  const email = validateEmail(params.email);
  const data = params.data ?? {};

  const existing = await findUserByEmail(context.db, email);
  // Hashing is slow on purpose; GoTrue does it outside the transaction too.
  const encryptedPassword = existing ? '' : await hashPassword(params.password);
  const autoconfirm = !settings.enableConfirmations;
  const redirectTo = referrer(req, url, settings);

  const outcome = await context.db.transaction(async (tx): Promise<SignupOutcome> => {
    let userId: string;
    if (existing) {
      if (existing.email_confirmed_at !== null) return { kind: 'exists' };
      // Unconfirmed: GoTrue neither updates the password nor the metadata, it cannot know who asks.
      userId = existing.id;
    } else {
      userId = await insertUser(tx, { email, encryptedPassword, userMetadata: data, appMetadata: EMAIL_APP_METADATA });
    }
    if (!existing?.identities.some((identity) => identity.provider === 'email')) {
      await createEmailIdentity(tx, { id: userId, email }, data);
    }
    if (autoconfirm) {
      await confirmEmail(tx, userId);
      return { kind: 'session', session: await startSession(tx, req, userId, context.tokens, 'password') };
    }
    await sendConfirmation(tx, context, await reloadUser(tx, userId), 'signup', redirectTo);
    return { kind: 'user', user: await reloadUser(tx, userId) };
  });

  switch (outcome.kind) {
    case 'session':
      return outcome.session;
    case 'exists':
      if (autoconfirm) throw new AuthError(422, 'user_already_exists', 'User already registered');
      return decoyUser(email, data);
    case 'user': {
      const json = toUserJson(outcome.user);
      // An invited user's sign-up answer hides what the inviter gave them (GoTrue: "Remove sensitive fields").
      return outcome.user.invited_at !== null ? { ...json, user_metadata: {}, identities: [] } : json;
    }
  }
}
