import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Queryable } from '../db/index.ts';
import { adminUserParamsSchema, banUntil, mergeMetadata, validatePhone, type AdminUserParams } from './admin-params.ts';
import { loadAdminUser } from './admin-users.ts';
import type { AuthContext } from './auth-context.ts';
import { AuthError } from './auth-error.ts';
import { findUserByEmail, reloadUser, toUserJson, type UserJson, type UserRow } from './auth-user.ts';
import { confirmEmail } from './confirmation.ts';
import { hashPassword, insertUser } from './create-user.ts';
import { validateEmail } from './email-address.ts';
import { createEmailIdentity, createPhoneIdentity } from './identities.ts';
import { checkPasswordStrength } from './password-strength.ts';
import { readJsonBody } from './read-json-body.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BCRYPT_HASH = /^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$/;

async function phoneTaken(db: Queryable, phone: string, exceptUserId?: string): Promise<boolean> {
  const { rows } = await db.query(
    `select 1 from auth.users where phone = $1 and aud = 'authenticated' and is_sso_user = false
        and ($2::uuid is null or id <> $2::uuid)`,
    [phone, exceptUserId ?? null],
  );
  return rows.length > 0;
}

/** Writes the settings create and update share (GoTrue applies them in this order). */
async function applyCommon(
  tx: Queryable,
  userId: string,
  params: AdminUserParams,
  bannedUntil: Date | null | undefined,
) {
  if (params.email_confirm) await confirmEmail(tx, userId);
  if (params.phone_confirm) {
    await tx.query('update auth.users set phone_confirmed_at = now() where id = $1::uuid', [userId]);
  }
  if (bannedUntil !== undefined) {
    await tx.query('update auth.users set banned_until = $2 where id = $1::uuid', [userId, bannedUntil]);
  }
}

async function mergeMetadataColumn(
  tx: Queryable,
  userId: string,
  column: 'raw_user_meta_data' | 'raw_app_meta_data',
  updates: Record<string, unknown>,
) {
  const user = await reloadUser(tx, userId);
  const current = column === 'raw_user_meta_data' ? user.raw_user_meta_data : user.raw_app_meta_data;
  await tx.query(`update auth.users set ${column} = $2::jsonb, updated_at = now() where id = $1::uuid`, [
    userId,
    JSON.stringify(mergeMetadata(current, updates)),
  ]);
}

/**
 * `POST /admin/users` (supabase-js `createUser`), as GoTrue's `adminUserCreate`: an email or phone
 * is required and must be free (422 `email_exists` / `phone_exists`); the password is not checked
 * for strength (an admin may set any), a random one is set when none is given; `email_confirm`
 * confirms at once, otherwise the user cannot sign in until confirmed.
 */
export async function createUser(req: IncomingMessage, context: AuthContext): Promise<UserJson> {
  const params = await readJsonBody(req, adminUserParamsSchema, { emptyIsObject: false });
  const aud = params.aud || 'authenticated';
  if (params.email === '' && params.phone === '') {
    throw new AuthError(400, 'validation_failed', 'Cannot create a user without either an email or phone');
  }
  const providers: string[] = [];
  let email = '';
  if (params.email !== '') {
    email = validateEmail(params.email);
    if (await findUserByEmail(context.db, email)) {
      throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
    }
    providers.push('email');
  }
  let phone = '';
  if (params.phone !== '') {
    phone = validatePhone(params.phone);
    if (await phoneTaken(context.db, phone)) {
      throw new AuthError(422, 'phone_exists', 'Phone number already registered by another user');
    }
    providers.push('phone');
  }
  const password = params.password ?? '';
  if (params.password != null && params.password_hash !== '') {
    throw new AuthError(400, 'validation_failed', 'Only a password or a password hash should be provided');
  }
  if (Buffer.byteLength(password, 'utf8') > 72) {
    throw new AuthError(400, 'validation_failed', 'bcrypt: password length exceeds 72 bytes');
  }
  if (params.password_hash !== '' && !BCRYPT_HASH.test(params.password_hash)) {
    throw new AuthError(500, 'unexpected_failure', 'Error creating user');
  }
  if (params.id !== '' && !UUID.test(params.id)) {
    throw new AuthError(400, 'validation_failed', 'ID must conform to the uuid v4 format');
  }
  if (params.id === '00000000-0000-0000-0000-000000000000') {
    throw new AuthError(400, 'validation_failed', 'ID cannot be a nil uuid');
  }
  const bannedUntil = banUntil(params.ban_duration);
  const encryptedPassword =
    params.password_hash || (await hashPassword(password || randomBytes(48).toString('base64url')));

  const userId = await context.db
    .transaction(async (tx) => {
      const id = await insertUser(tx, {
        ...(params.id ? { id: params.id.toLowerCase() } : {}),
        email,
        encryptedPassword,
        userMetadata: params.user_metadata ?? {},
        appMetadata: { provider: providers[0], providers },
        role: params.role || 'authenticated',
        aud,
      });
      if (phone !== '') await tx.query('update auth.users set phone = $2 where id = $1::uuid', [id, phone]);
      if (email !== '') await createEmailIdentity(tx, { id, email });
      if (phone !== '') await createPhoneIdentity(tx, { id, phone });
      if (params.app_metadata) await mergeMetadataColumn(tx, id, 'raw_app_meta_data', params.app_metadata);
      await applyCommon(tx, id, params, bannedUntil);
      return id;
    })
    .catch((error: unknown) => {
      // GoTrue answers any failure of the write (a taken id, say) this way.
      throw new AuthError(500, 'unexpected_failure', 'Database error creating new user', { cause: error });
    });
  return toUserJson(await reloadUser(context.db, userId));
}

/**
 * `PUT /admin/users/{id}` (supabase-js `updateUserById`), as GoTrue's `adminUserUpdate`: a new
 * password must be strong enough (422 `weak_password`) and ends every session of the user;
 * metadata keys are merged (null removes one); `ban_duration` bans or lifts a ban. A failure of
 * the write itself, such as an address another user has, is 500 "Error updating user", as in GoTrue.
 */
export async function updateUser(req: IncomingMessage, userId: string, context: AuthContext): Promise<UserJson> {
  const user: UserRow = await loadAdminUser(context, userId);
  const params = await readJsonBody(req, adminUserParamsSchema, { emptyIsObject: false });
  const email = params.email !== '' ? validateEmail(params.email) : '';
  const phone = params.phone !== '' ? validatePhone(params.phone) : '';
  const bannedUntil = banUntil(params.ban_duration);
  let encryptedPassword: string | undefined;
  if (params.password != null) {
    checkPasswordStrength(params.password, context.settings);
    encryptedPassword = await hashPassword(params.password);
  }
  await context.db
    .transaction(async (tx) => {
      if (params.role !== '')
        await tx.query('update auth.users set role = $2 where id = $1::uuid', [userId, params.role]);
      await applyCommon(tx, userId, { ...params, ban_duration: '' }, undefined);
      if (encryptedPassword !== undefined) {
        // GoTrue's UpdatePassword: pending links die and the user is signed out everywhere.
        await tx.query(
          `update auth.users set encrypted_password = $2, confirmation_token = '', confirmation_sent_at = null,
                  recovery_token = '', recovery_sent_at = null, updated_at = now() where id = $1::uuid`,
          [userId, encryptedPassword],
        );
        await tx.query('delete from auth.one_time_tokens where user_id = $1::uuid', [userId]);
        await tx.query('delete from auth.sessions where user_id = $1::uuid', [userId]);
      }
      if (email !== '') {
        await tx.query('update auth.users set email = $2, updated_at = now() where id = $1::uuid', [userId, email]);
        await tx.query(
          `update auth.identities
              set identity_data = identity_data || jsonb_build_object('email', $2::text, 'email_verified', $3::boolean),
                  updated_at = now()
            where user_id = $1::uuid and provider = 'email'`,
          [userId, email, params.email_confirm],
        );
        if (!user.identities.some((identity) => identity.provider === 'email')) {
          await createEmailIdentity(tx, { id: userId, email });
        }
      }
      if (phone !== '') {
        await tx.query('update auth.users set phone = $2, updated_at = now() where id = $1::uuid', [userId, phone]);
        if (!user.identities.some((identity) => identity.provider === 'phone')) {
          await createPhoneIdentity(tx, { id: userId, phone });
        }
      }
      if (params.app_metadata) await mergeMetadataColumn(tx, userId, 'raw_app_meta_data', params.app_metadata);
      if (params.user_metadata) await mergeMetadataColumn(tx, userId, 'raw_user_meta_data', params.user_metadata);
      if (bannedUntil !== undefined) {
        await tx.query('update auth.users set banned_until = $2 where id = $1::uuid', [userId, bannedUntil]);
      }
    })
    .catch((error: unknown) => {
      throw new AuthError(500, 'unexpected_failure', 'Error updating user', { cause: error });
    });
  return toUserJson(await reloadUser(context.db, userId));
}
