import { randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { Queryable } from '../db/index.ts';

/** GoTrue hashes with bcrypt's default cost. */
const BCRYPT_COST = 10;

/** A bcrypt hash, or '' for a user without a password (GoTrue stores the empty string). */
export async function hashPassword(password: string): Promise<string> {
  return password === '' ? '' : bcrypt.hash(password, BCRYPT_COST);
}

/** Whether `password` is the user's (false for a user without one). */
export async function passwordIs(encrypted: string | null, password: string): Promise<boolean> {
  if (!encrypted) return false;
  return bcrypt.compare(password, encrypted);
}

export interface NewUser {
  id?: string;
  email: string;
  /** From {@link hashPassword}. */
  encryptedPassword: string;
  userMetadata: Record<string, unknown>;
  appMetadata: Record<string, unknown>;
  role?: string;
  aud?: string;
}

/**
 * Inserts an `auth.users` row as GoTrue's `NewUser` + `SetRole` leave it: lower-cased email, the
 * instance id and empty token columns Supabase Auth expects, role `authenticated`. The
 * `create_profile_for_new_user` trigger of the project's migrations runs on this insert, as it
 * does when Supabase Auth creates a user. Returns the id.
 */
export async function insertUser(tx: Queryable, user: NewUser): Promise<string> {
  const id = user.id ?? randomUUID();
  await tx.query(
    `insert into auth.users (
       instance_id, id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data,
       confirmation_token, recovery_token, email_change_token_new, email_change, created_at, updated_at, is_anonymous
     ) values ('00000000-0000-0000-0000-000000000000', $1::uuid, $2, $3, lower($4), $5, $6::jsonb, $7::jsonb,
               '', '', '', '', now(), now(), false)`,
    [
      id,
      user.aud ?? 'authenticated',
      user.role ?? 'authenticated',
      user.email,
      user.encryptedPassword,
      JSON.stringify(user.appMetadata),
      JSON.stringify(user.userMetadata),
    ],
  );
  return id;
}
