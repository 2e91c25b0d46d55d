import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { authenticate } from './access-token.ts';
import { mergeMetadata } from './admin-params.ts';
import { takeRateLimit, type AuthContext } from './auth-context.ts';
import { AuthError } from './auth-error.ts';
import { reloadUser, toUserJson, type UserJson } from './auth-user.ts';
import { hashPassword, passwordIs } from './create-user.ts';
import { validateEmail } from './email-address.ts';
import { goMap, goString } from './go-json.ts';
import { checkPasswordStrength } from './password-strength.ts';
import { readJsonBody } from './read-json-body.ts';

const userUpdateSchema = z.object({
  email: goString(),
  phone: goString(),
  password: z.string().nullish(),
  data: goMap(),
  app_metadata: goMap(),
  nonce: goString(),
});

/**
 * `PUT /auth/v1/user` (supabase-js `updateUser`) for the signed-in user, as GoTrue's `UserUpdate`:
 * a new password (checked for strength, and 422 `same_password` if unchanged) ends the user's
 * other sessions and spends any pending link; `data` keys merge into the user's metadata.
 * `app_metadata` is for admins only (403 `not_admin`). Changing the email address or phone needs
 * a confirmation flow the local stack does not have; it is refused with 400 rather than ignored.
 */
export async function updateOwnUser(req: IncomingMessage, context: AuthContext): Promise<UserJson> {
  const { user, sessionId } = await authenticate(req, context.db, context.config.jwtSecret);
  takeRateLimit(context.limits.userUpdates, req);
  const params = await readJsonBody(req, userUpdateSchema, { emptyIsObject: false });
  const email = params.email !== '' ? validateEmail(params.email) : '';
  if (params.password != null) checkPasswordStrength(params.password, context.settings);
  if (params.app_metadata) throw new AuthError(403, 'not_admin', 'Updating app_metadata requires admin privileges');
  if ((email !== '' && email !== user.email) || (params.phone !== '' && params.phone !== user.phone)) {
    throw new AuthError(
      400,
      'validation_failed',
      'The local stack does not change email addresses or phone numbers; use auth.admin.updateUserById',
    );
  }
  let encryptedPassword: string | undefined;
  if (params.password != null) {
    if (params.password !== '' && (await passwordIs(user.encrypted_password, params.password))) {
      throw new AuthError(422, 'same_password', 'New password should be different from the old password.');
    }
    encryptedPassword = await hashPassword(params.password);
  }
  await context.db.transaction(async (tx) => {
    if (encryptedPassword !== undefined) {
      await tx.query(
        `update auth.users set encrypted_password = $2, confirmation_token = '', confirmation_sent_at = null,
                recovery_token = '', recovery_sent_at = null, updated_at = now() where id = $1::uuid`,
        [user.id, encryptedPassword],
      );
      await tx.query('delete from auth.one_time_tokens where user_id = $1::uuid', [user.id]);
      // GoTrue's UpdatePassword: every other session ends; a token without a session ends them all.
      await tx.query('delete from auth.sessions where user_id = $1::uuid and ($2::uuid is null or id <> $2::uuid)', [
        user.id,
        sessionId ?? null,
      ]);
    }
    if (params.data) {
      await tx.query(`update auth.users set raw_user_meta_data = $2::jsonb, updated_at = now() where id = $1::uuid`, [
        user.id,
        JSON.stringify(mergeMetadata(user.raw_user_meta_data, params.data)),
      ]);
    }
  });
  return toUserJson(await reloadUser(context.db, user.id));
}
