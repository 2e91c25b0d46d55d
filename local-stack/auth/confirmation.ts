import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { Queryable } from '../db/index.ts';

/** The kinds of emailed link that confirm an address (GoTrue's `signup` and `invite` email actions). */
export type ConfirmationType = 'signup' | 'invite';

export interface IssuedConfirmation {
  /** The code the email shows (`{{ .Token }}`), for `verifyOtp({ email, token, type })`. */
  otp: string;
  /** What the link carries (`{{ .TokenHash }}`): sha224(email + otp), for `/verify?token=` and `verifyOtp({ token_hash })`. */
  tokenHash: string;
}

/** GoTrue's `GenerateOtp`: `length` random decimal digits. */
function generateOtp(length: number): string {
  let otp = '';
  for (let i = 0; i < length; i++) otp += String(randomInt(10));
  return otp;
}

/** GoTrue's `GenerateTokenHash`: the hex SHA-224 of the address followed by the code. */
export function confirmationTokenHash(email: string, otp: string): string {
  return createHash('sha224')
    .update(email + otp)
    .digest('hex');
}

/**
 * Gives a user a new confirmation code, replacing any earlier one: `confirmation_token` and
 * `confirmation_sent_at` on the user (and `invited_at` for an invite), and the hash in
 * `auth.one_time_tokens`, where /verify looks it up. The code expires `otp_expiry` after
 * `confirmation_sent_at`.
 */
export async function issueConfirmation(
  tx: Queryable,
  user: { id: string; email: string },
  type: ConfirmationType,
  otpLength: number,
): Promise<IssuedConfirmation> {
  const otp = generateOtp(otpLength);
  const tokenHash = confirmationTokenHash(user.email, otp);
  await tx.query(
    `update auth.users set confirmation_token = $2, confirmation_sent_at = now(),
            invited_at = case when $3 then now() else invited_at end
      where id = $1::uuid`,
    [user.id, tokenHash, type === 'invite'],
  );
  await tx.query(`delete from auth.one_time_tokens where user_id = $1::uuid and token_type = 'confirmation_token'`, [
    user.id,
  ]);
  await tx.query(
    `insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to)
     values ($1::uuid, $2::uuid, 'confirmation_token', $3, lower($4))`,
    [randomUUID(), user.id, tokenHash, user.email],
  );
  return { otp, tokenHash };
}

export interface PendingConfirmation {
  userId: string;
  /** Whether `confirmation_sent_at + otp_expiry` has passed. */
  expired: boolean;
}

/** The user a confirmation hash belongs to (locked for the confirmation), or undefined for an unknown or used one. */
export async function findConfirmation(
  tx: Queryable,
  tokenHash: string,
  otpExpirySeconds: number,
): Promise<PendingConfirmation | undefined> {
  const { rows } = await tx.query<{ user_id: string; expired: boolean }>(
    `select u.id::text as user_id,
            coalesce(u.confirmation_sent_at + make_interval(secs => $2) < now(), true) as expired
       from auth.one_time_tokens t join auth.users u on u.id = t.user_id
      where t.token_type = 'confirmation_token' and t.token_hash = $1 and u.deleted_at is null
      for update of u`,
    [tokenHash, otpExpirySeconds],
  );
  const row = rows[0];
  return row === undefined ? undefined : { userId: row.user_id, expired: row.expired };
}

/**
 * GoTrue's `User.Confirm`: the address is confirmed now, `email_verified` is set in the user's
 * metadata, and every one-time token of the user is gone — so a confirmation link works once.
 */
export async function confirmEmail(tx: Queryable, userId: string): Promise<void> {
  await tx.query(
    `update auth.users
        set email_confirmed_at = now(), confirmation_token = '', updated_at = now(),
            raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb
      where id = $1::uuid`,
    [userId],
  );
  await tx.query(`delete from auth.one_time_tokens where user_id = $1::uuid`, [userId]);
}
