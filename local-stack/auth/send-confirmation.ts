import type { Queryable } from '../db/index.ts';
import type { AuthContext } from './auth-context.ts';
import { AuthError } from './auth-error.ts';
import type { UserRow } from './auth-user.ts';
import { issueConfirmation, type ConfirmationType } from './confirmation.ts';
import type { LocalEmail } from './local-mailer.ts';

/**
 * GoTrue's `sendConfirmation` and `sendInvite`: a new code and link for the user, mailed to the
 * local inbox. A sign-up confirmation is refused with 429 `over_email_send_rate_limit` while the
 * previous one is younger than `[auth.email] max_frequency`; an invite is never held back that way.
 */
export async function sendConfirmation(
  tx: Queryable,
  context: AuthContext,
  user: UserRow,
  type: ConfirmationType,
  redirectTo: string,
): Promise<LocalEmail> {
  const email = user.email ?? '';
  if (type === 'signup' && user.confirmation_sent_at !== null) {
    const sentAt = new Date(user.confirmation_sent_at).getTime();
    const waitMs = sentAt + context.settings.emailMaxFrequencySeconds * 1000 - Date.now();
    if (waitMs > 0) {
      throw new AuthError(
        429,
        'over_email_send_rate_limit',
        `For security purposes, you can only request this after ${Math.trunc(waitMs / 1000)} seconds.`,
      );
    }
  }
  const { otp, tokenHash } = await issueConfirmation(tx, { id: user.id, email }, type, context.settings.otpLength);
  return context.mailer.send({ type, to: email, otp, tokenHash, redirectTo });
}
