import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { AuthContext } from './auth-context.ts';
import { AuthError } from './auth-error.ts';
import { findUserByEmail, reloadUser, toUserJson, type UserJson } from './auth-user.ts';
import { issueConfirmation } from './confirmation.ts';
import { hashPassword, insertUser } from './create-user.ts';
import { validateEmail } from './email-address.ts';
import { goMap, goString } from './go-json.ts';
import { createEmailIdentity } from './identities.ts';
import { checkPasswordStrength } from './password-strength.ts';
import { readJsonBody } from './read-json-body.ts';
import { isRedirectUrlAllowed, referrer } from './redirect-url.ts';

const generateLinkSchema = z.object({
  type: goString(),
  email: goString(),
  new_email: goString(),
  password: goString(),
  data: goMap(),
  redirect_to: goString(),
});

/** What supabase-js's `generateLink` turns into `{ user, properties }`. */
type GenerateLinkJson = UserJson & {
  action_link: string;
  email_otp: string;
  hashed_token: string;
  verification_type: string;
  redirect_to: string;
};

const EMAIL_APP_METADATA = { provider: 'email', providers: ['email'] };
const DUPLICATE = 'A user with this email address has already been registered';

/**
 * `POST /auth/v1/admin/generate_link` (supabase-js `auth.admin.generateLink`) for `signup` and
 * `invite` links, and `magiclink` for an address without a user (GoTrue makes that a sign-up):
 * the user is created (or, unconfirmed, kept) and given a code exactly as the email would carry,
 * but nothing is sent — the app sends the link itself. Recovery, magic-link and email-change links
 * for existing users need flows the local stack does not have and are refused with 400.
 */
export async function generateLink(req: IncomingMessage, url: URL, context: AuthContext): Promise<GenerateLinkJson> {
  const params = await readJsonBody(req, generateLinkSchema, { emptyIsObject: false });
  const email = validateEmail(params.email);
  let redirectTo = referrer(req, url, context.settings);
  if (isRedirectUrlAllowed(context.settings, params.redirect_to)) redirectTo = params.redirect_to;
  const existing = await findUserByEmail(context.db, email);
  let type = params.type;
  let password = params.password;
  if (!existing && type === 'magiclink') {
    type = 'signup';
    password = randomBytes(48).toString('base64url');
  }
  if (!existing && ['recovery', 'email_change_current', 'email_change_new'].includes(type)) {
    throw new AuthError(404, 'user_not_found', 'User with this email not found');
  }
  if (type !== 'signup' && type !== 'invite') {
    const known = ['magiclink', 'recovery', 'email_change_current', 'email_change_new'].includes(type);
    throw new AuthError(
      400,
      'validation_failed',
      known
        ? `The local stack generates signup and invite links only, not ${type}`
        : `Invalid email action link type requested: ${type}`,
    );
  }
  let encryptedPassword = '';
  if (type === 'signup' && !existing) {
    if (password === '') throw new AuthError(400, 'validation_failed', 'Signup requires a valid password');
    checkPasswordStrength(password, context.settings);
    encryptedPassword = await hashPassword(password);
  }
  if (existing && existing.email_confirmed_at !== null) throw new AuthError(422, 'email_exists', DUPLICATE);

  const { userId, otp, tokenHash } = await context.db.transaction(async (tx) => {
    let id = existing?.id;
    if (id === undefined) {
      id = await insertUser(tx, {
        email,
        encryptedPassword,
        userMetadata: params.data ?? {},
        appMetadata: EMAIL_APP_METADATA,
      });
      await createEmailIdentity(tx, { id, email });
    } else if (type === 'signup' && params.data) {
      await tx.query(
        `update auth.users set raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || $2::jsonb where id = $1::uuid`,
        [id, JSON.stringify(params.data)],
      );
    }
    const issued = await issueConfirmation(tx, { id, email }, type, context.settings.otpLength);
    return { userId: id, ...issued };
  });
  const query = `token=${encodeURIComponent(tokenHash)}&type=${type}&redirect_to=${/[&=#]/.test(redirectTo) ? encodeURIComponent(redirectTo) : redirectTo}`;
  return {
    ...toUserJson(await reloadUser(context.db, userId)),
    action_link: `${context.authUrl}/verify?${query}`,
    email_otp: otp,
    hashed_token: tokenHash,
    verification_type: type,
    redirect_to: redirectTo,
  };
}
