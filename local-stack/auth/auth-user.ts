import { z } from 'zod';
import type { Queryable } from '../db/index.ts';

const timestamp = z.union([z.date(), z.string()]).nullable();
const metadata = z.record(z.string(), z.unknown()).nullable();

/** An `auth.users` row as the auth service reads it; validated because it comes back from SQL. */
const userRowSchema = z.object({
  id: z.string(),
  aud: z.string().nullable(),
  role: z.string().nullable(),
  email: z.string().nullable(),
  encrypted_password: z.string().nullable(),
  email_confirmed_at: timestamp,
  phone: z.string().nullable(),
  phone_confirmed_at: timestamp,
  last_sign_in_at: timestamp,
  raw_app_meta_data: metadata,
  raw_user_meta_data: metadata,
  created_at: timestamp,
  updated_at: timestamp,
  is_anonymous: z.boolean(),
  banned_until: timestamp,
});
export type UserRow = z.infer<typeof userRowSchema>;

const USER_COLUMNS = `id::text as id, aud, role, email, encrypted_password, email_confirmed_at, phone, phone_confirmed_at,
  last_sign_in_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_anonymous, banned_until`;

function parseRow(row: unknown): UserRow {
  return userRowSchema.parse(row);
}

/** GoTrue finds password users by email case-insensitively, among non-SSO, non-deleted users. */
export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const { rows } = await db.query(
    `select ${USER_COLUMNS} from auth.users
      where lower(email) = lower($1) and is_sso_user = false and deleted_at is null
      limit 1`,
    [email],
  );
  return rows[0] === undefined ? undefined : parseRow(rows[0]);
}

export async function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  const { rows } = await db.query(`select ${USER_COLUMNS} from auth.users where id = $1::uuid and deleted_at is null`, [
    id,
  ]);
  return rows[0] === undefined ? undefined : parseRow(rows[0]);
}

/** Stamps a successful sign-in and returns the updated row. */
export async function recordSignIn(db: Queryable, id: string): Promise<UserRow> {
  const { rows } = await db.query(
    `update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1::uuid returning ${USER_COLUMNS}`,
    [id],
  );
  return parseRow(rows[0]);
}

export function isBanned(user: UserRow, now: Date = new Date()): boolean {
  if (user.banned_until === null) return false;
  return new Date(user.banned_until).getTime() > now.getTime();
}

function iso(value: Date | string | null): string | undefined {
  if (value === null) return undefined;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** The user object GoTrue returns from /token and /user (absent timestamps are omitted, as Go's `omitempty` does). */
export interface UserJson {
  id: string;
  aud: string;
  role: string;
  email: string;
  email_confirmed_at?: string;
  phone: string;
  phone_confirmed_at?: string;
  confirmed_at?: string;
  last_sign_in_at?: string;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  identities: unknown[];
  created_at: string;
  updated_at: string;
  is_anonymous: boolean;
}

export function toUserJson(user: UserRow): UserJson {
  const json: UserJson = {
    id: user.id,
    aud: user.aud ?? 'authenticated',
    role: user.role ?? 'authenticated',
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    // The shim has no auth.identities table; GoTrue lists the user's identities here.
    identities: [],
    created_at: iso(user.created_at) ?? new Date(0).toISOString(),
    updated_at: iso(user.updated_at) ?? new Date(0).toISOString(),
    is_anonymous: user.is_anonymous,
  };
  const emailConfirmed = iso(user.email_confirmed_at);
  const phoneConfirmed = iso(user.phone_confirmed_at);
  const lastSignIn = iso(user.last_sign_in_at);
  if (emailConfirmed) json.email_confirmed_at = emailConfirmed;
  if (phoneConfirmed) json.phone_confirmed_at = phoneConfirmed;
  // GoTrue's confirmed_at is a generated column: least(email_confirmed_at, phone_confirmed_at).
  const confirmed = [emailConfirmed, phoneConfirmed].filter((v): v is string => v !== undefined).sort()[0];
  if (confirmed) json.confirmed_at = confirmed;
  if (lastSignIn) json.last_sign_in_at = lastSignIn;
  return json;
}
