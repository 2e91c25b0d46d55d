import { z } from 'zod';
import type { Queryable } from '../db/index.ts';

const timestamp = z.union([z.date(), z.string()]).nullable();
const metadata = z.record(z.string(), z.unknown()).nullable();

/** An `auth.identities` row as JSON from the user query (`json_agg` gives timestamps as strings). */
const identityRowSchema = z.object({
  id: z.string(),
  provider_id: z.string(),
  user_id: z.string(),
  identity_data: z.record(z.string(), z.unknown()),
  provider: z.string(),
  last_sign_in_at: z.string().nullable(),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
  email: z.string().nullable(),
});

/** An `auth.users` row as the auth service reads it, with its identities; validated because it comes back from SQL. */
const userRowSchema = z.object({
  id: z.string(),
  aud: z.string().nullable(),
  role: z.string().nullable(),
  email: z.string().nullable(),
  encrypted_password: z.string().nullable(),
  email_confirmed_at: timestamp,
  invited_at: timestamp,
  confirmation_sent_at: timestamp,
  phone: z.string().nullable(),
  phone_confirmed_at: timestamp,
  last_sign_in_at: timestamp,
  raw_app_meta_data: metadata,
  raw_user_meta_data: metadata,
  created_at: timestamp,
  updated_at: timestamp,
  is_anonymous: z.boolean(),
  banned_until: timestamp,
  deleted_at: timestamp,
  identities: z.array(identityRowSchema),
});
export type UserRow = z.infer<typeof userRowSchema>;

/**
 * The columns of a user, `u` being `auth.users`. Identities come along in one query (GoTrue loads
 * them eagerly too), oldest first; the table is the one local-stack/db/sql/07-auth-identities.sql adds.
 */
export const USER_COLUMNS = `u.id::text as id, u.aud, u.role, u.email, u.encrypted_password, u.email_confirmed_at,
  u.invited_at, u.confirmation_sent_at, u.phone, u.phone_confirmed_at, u.last_sign_in_at, u.raw_app_meta_data,
  u.raw_user_meta_data, u.created_at, u.updated_at, u.is_anonymous, u.banned_until, u.deleted_at,
  coalesce((select json_agg(json_build_object(
      'id', i.id::text, 'provider_id', i.provider_id, 'user_id', i.user_id::text, 'identity_data', i.identity_data,
      'provider', i.provider, 'last_sign_in_at', i.last_sign_in_at, 'created_at', i.created_at,
      'updated_at', i.updated_at, 'email', i.email) order by i.created_at, i.id)
    from auth.identities i where i.user_id = u.id), '[]'::json) as identities`;

export function parseUserRow(row: unknown): UserRow {
  return userRowSchema.parse(row);
}

/** GoTrue finds password users by email case-insensitively, among non-SSO, non-deleted users. */
export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const { rows } = await db.query(
    `select ${USER_COLUMNS} from auth.users u
      where lower(u.email) = lower($1) and u.is_sso_user = false and u.deleted_at is null
      limit 1`,
    [email],
  );
  return rows[0] === undefined ? undefined : parseUserRow(rows[0]);
}

/** A user by id; soft-deleted users only with `includeDeleted` (the admin API still finds them, as GoTrue's does). */
export async function findUserById(
  db: Queryable,
  id: string,
  options: { includeDeleted?: boolean } = {},
): Promise<UserRow | undefined> {
  const { rows } = await db.query(
    `select ${USER_COLUMNS} from auth.users u
      where u.id = $1::uuid and ($2::boolean or u.deleted_at is null)`,
    [id, options.includeDeleted ?? false],
  );
  return rows[0] === undefined ? undefined : parseUserRow(rows[0]);
}

/** The user as it is now (after writes in the same transaction), failing loudly if it vanished. */
export async function reloadUser(db: Queryable, id: string): Promise<UserRow> {
  const user = await findUserById(db, id, { includeDeleted: true });
  if (!user) throw new Error(`auth.users row ${id} disappeared`);
  return user;
}

/** Stamps a successful sign-in and returns the updated row. */
export async function recordSignIn(db: Queryable, id: string): Promise<UserRow> {
  await db.query(`update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1::uuid`, [id]);
  return reloadUser(db, id);
}

export function isBanned(user: UserRow, now: Date = new Date()): boolean {
  if (user.banned_until === null) return false;
  return new Date(user.banned_until).getTime() > now.getTime();
}

function iso(value: Date | string | null): string | undefined {
  if (value === null) return undefined;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** An identity as GoTrue returns it: `identity_id` is the row id, `id` the provider's id for the user. */
interface IdentityJson {
  identity_id: string;
  id: string;
  user_id: string;
  identity_data: Record<string, unknown>;
  provider: string;
  last_sign_in_at?: string;
  created_at: string;
  updated_at: string;
  email?: string;
}

/** The user object GoTrue returns (absent timestamps are omitted, as Go's `omitempty` does). */
export interface UserJson {
  id: string;
  aud: string;
  role: string;
  email: string;
  email_confirmed_at?: string;
  invited_at?: string;
  phone: string;
  phone_confirmed_at?: string;
  confirmation_sent_at?: string;
  confirmed_at?: string;
  last_sign_in_at?: string;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  identities: IdentityJson[];
  created_at: string;
  updated_at: string;
  banned_until?: string;
  deleted_at?: string;
  is_anonymous: boolean;
}

const EPOCH = new Date(0).toISOString();

function toIdentityJson(identity: UserRow['identities'][number]): IdentityJson {
  const json: IdentityJson = {
    identity_id: identity.id,
    id: identity.provider_id,
    user_id: identity.user_id,
    identity_data: identity.identity_data,
    provider: identity.provider,
    created_at: iso(identity.created_at) ?? EPOCH,
    updated_at: iso(identity.updated_at) ?? EPOCH,
  };
  const lastSignIn = iso(identity.last_sign_in_at);
  if (lastSignIn) json.last_sign_in_at = lastSignIn;
  if (identity.email) json.email = identity.email;
  return json;
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
    identities: user.identities.map(toIdentityJson),
    created_at: iso(user.created_at) ?? EPOCH,
    updated_at: iso(user.updated_at) ?? EPOCH,
    is_anonymous: user.is_anonymous,
  };
  const optional = {
    email_confirmed_at: iso(user.email_confirmed_at),
    invited_at: iso(user.invited_at),
    phone_confirmed_at: iso(user.phone_confirmed_at),
    confirmation_sent_at: iso(user.confirmation_sent_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    banned_until: iso(user.banned_until),
    deleted_at: iso(user.deleted_at),
  };
  // GoTrue's confirmed_at is a generated column: least(email_confirmed_at, phone_confirmed_at).
  const confirmed = [optional.email_confirmed_at, optional.phone_confirmed_at]
    .filter((v): v is string => v !== undefined)
    .sort()[0];
  const present: Partial<UserJson> = Object.fromEntries(
    Object.entries({ ...optional, confirmed_at: confirmed }).filter(([, value]) => value !== undefined),
  );
  return { ...json, ...present };
}
