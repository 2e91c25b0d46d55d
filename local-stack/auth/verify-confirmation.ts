import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Queryable } from '../db/index.ts';
import type { SessionJson } from './access-token.ts';
import type { AuthContext } from './auth-context.ts';
import { AuthError } from './auth-error.ts';
import { findUserByEmail, isBanned, reloadUser } from './auth-user.ts';
import { confirmEmail, confirmationTokenHash, findConfirmation } from './confirmation.ts';
import { hashPassword } from './create-user.ts';
import { markIdentityEmailVerified } from './identities.ts';
import { startSession } from './start-session.ts';

/** The verification types this server issues tokens for; GoTrue's `email` type means either (here: sign-up). */
export const CONFIRMATION_TYPES = ['signup', 'invite', 'email'] as const;
/** Types GoTrue knows but this server never issues a token for (no recovery, magic link or email change mails). */
export const OTHER_EMAIL_TYPES = ['recovery', 'magiclink', 'email_change'] as const;

/** How the caller proves the address: the link's hash, or the address and the emailed code. */
export type ConfirmationProof = { tokenHash: string } | { email: string; otp: string };

const LINK_INVALID = 'Email link is invalid or has expired';
const TOKEN_INVALID = 'Token has expired or is invalid';

/** GoTrue's `verifyTokenHash` / `verifyUserAndToken` for confirmation tokens: the user the proof belongs to. */
async function userForProof(
  tx: Queryable,
  type: string,
  proof: ConfirmationProof,
  otpExpirySeconds: number,
): Promise<string> {
  const byHash = 'tokenHash' in proof;
  const invalid = new AuthError(403, 'otp_expired', byHash ? LINK_INVALID : TOKEN_INVALID);
  let expectedUserId: string | undefined;
  let tokenHash: string;
  if (byHash) {
    tokenHash = proof.tokenHash;
  } else {
    const user = await findUserByEmail(tx, proof.email);
    if (!user) throw invalid;
    expectedUserId = user.id;
    tokenHash = confirmationTokenHash(proof.email, proof.otp);
  }
  // Recovery, magic-link and email-change tokens are never issued here, so none is ever found.
  const pending = (OTHER_EMAIL_TYPES as readonly string[]).includes(type)
    ? undefined
    : await findConfirmation(tx, tokenHash, otpExpirySeconds);
  if (!pending || (expectedUserId !== undefined && pending.userId !== expectedUserId)) throw invalid;
  const user = await reloadUser(tx, pending.userId);
  if (isBanned(user)) throw new AuthError(403, 'user_banned', 'User is banned');
  if (pending.expired) throw invalid;
  return pending.userId;
}

/**
 * Confirms the address a sign-up or invite link (or code) proves and starts a session, in one
 * transaction (GoTrue's `signupVerify` then `IssueRefreshToken` with the `otp` method). An invited
 * user without a password gets a random one, so the app must let them set theirs (`PUT /user`).
 * The token is spent: a second use finds nothing and is 403 `otp_expired`.
 */
export async function verifyConfirmation(
  req: IncomingMessage,
  context: AuthContext,
  type: string,
  proof: ConfirmationProof,
): Promise<SessionJson> {
  return context.db.transaction(async (tx) => {
    const userId = await userForProof(tx, type, proof, context.settings.otpExpirySeconds);
    const user = await reloadUser(tx, userId);
    if (!user.encrypted_password && user.invited_at !== null) {
      const temporary = await hashPassword(randomBytes(48).toString('base64url'));
      await tx.query('update auth.users set encrypted_password = $2 where id = $1::uuid', [userId, temporary]);
    }
    await confirmEmail(tx, userId);
    await markIdentityEmailVerified(tx, userId);
    return startSession(tx, req, userId, context.tokens, 'otp');
  });
}
