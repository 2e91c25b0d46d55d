import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { sendJson } from '../http.ts';
import type { AuthContext } from './auth-context.ts';
import { AuthError } from './auth-error.ts';
import { findUserById, parseUserRow, toUserJson, USER_COLUMNS, type UserRow } from './auth-user.ts';
import { goBool } from './go-json.ts';
import { readJsonBody } from './read-json-body.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** GoTrue's `loadUser` for `/admin/users/{user_id}`: 404 for an id that is not a UUID or not a user. */
export async function loadAdminUser(context: AuthContext, userId: string): Promise<UserRow> {
  if (!UUID.test(userId)) throw new AuthError(404, 'validation_failed', 'user_id must be an UUID');
  const user = await findUserById(context.db, userId, { includeDeleted: true });
  if (!user) throw new AuthError(404, 'user_not_found', 'User not found');
  return user;
}

const DEFAULT_PER_PAGE = 50;

function pageParameter(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name) ?? '';
  if (raw === '') return fallback;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new AuthError(
      400,
      'validation_failed',
      `Bad Pagination Parameters: strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax`,
    );
  }
  return Number(raw);
}

function sortOrder(url: URL): string {
  const values = url.searchParams.getAll('sort');
  if (values.length === 0) return 'u.created_at desc';
  return values
    .map((value) => {
      const [field = '', direction = 'desc'] = value.split(/ (.*)/s);
      if (field !== 'created_at') {
        throw new AuthError(400, 'validation_failed', `Bad Sort Parameters: bad field for sort '${field}'`);
      }
      const dir = direction.toUpperCase();
      if (dir !== 'ASC' && dir !== 'DESC') {
        throw new AuthError(
          400,
          'validation_failed',
          `Bad Sort Parameters: bad direction for sort '${direction}', only 'asc' and 'desc' allowed`,
        );
      }
      return `u.created_at ${dir.toLowerCase()}`;
    })
    .join(', ');
}

/**
 * `GET /admin/users?page=&per_page=&filter=&sort=` (supabase-js `listUsers`): one page of the
 * audience's users, newest first, with GoTrue's `X-Total-Count` and `Link` headers — `rel="next"`
 * while there is a next page and always `rel="last"` — which supabase-js turns into `nextPage`,
 * `lastPage` and `total`. The links carry GoTrue's own path, without the gateway's `/auth/v1`.
 */
export async function listUsers(res: ServerResponse, url: URL, context: AuthContext): Promise<void> {
  const page = pageParameter(url, 'page', 1);
  const perPage = pageParameter(url, 'per_page', DEFAULT_PER_PAGE);
  if (perPage === 0)
    throw new AuthError(400, 'validation_failed', 'Bad Pagination Parameters: per_page must be positive');
  const order = sortOrder(url);
  const filter = url.searchParams.get('filter') ?? '';
  const where = `u.instance_id = '00000000-0000-0000-0000-000000000000' and u.aud = 'authenticated'
    and ($1 = '' or u.email like '%' || $1 || '%' or u.raw_user_meta_data ->> 'full_name' ilike '%' || $1 || '%')`;
  const count = await context.db.query<{ n: number }>(`select count(*)::int as n from auth.users u where ${where}`, [
    filter,
  ]);
  const total = count.rows[0]?.n ?? 0;
  const { rows } = await context.db.query(
    `select ${USER_COLUMNS} from auth.users u where ${where} order by ${order}, u.id limit $2 offset $3`,
    [filter, perPage, (Math.max(page, 1) - 1) * perPage],
  );
  const totalPages = Math.ceil(total / perPage);
  const link = (n: number) => {
    const query = new URLSearchParams(url.searchParams);
    query.set('page', String(n));
    const sorted = new URLSearchParams([...query.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return `</admin/users?${sorted.toString()}>`;
  };
  const links = [...(totalPages > page ? [`${link(page + 1)}; rel="next"`] : []), `${link(totalPages)}; rel="last"`];
  sendJson(
    res,
    200,
    { users: rows.map((row) => toUserJson(parseUserRow(row))), aud: 'authenticated' },
    { link: links.join(', '), 'x-total-count': String(total) },
  );
}

/** `GET /admin/users/{id}` (supabase-js `getUserById`). */
export async function getUser(res: ServerResponse, userId: string, context: AuthContext): Promise<void> {
  sendJson(res, 200, toUserJson(await loadAdminUser(context, userId)));
}

const deleteSchema = z.object({ should_soft_delete: goBool() });

/** GoTrue's `obfuscateValue`: what a soft-deleted user's email, phone and identity ids become. */
function obfuscate(userId: string, value: string): string {
  return createHash('sha256')
    .update(userId + value)
    .digest('base64url');
}

/**
 * `DELETE /admin/users/{id}` (supabase-js `deleteUser`), answering `{}`. A hard delete removes the
 * row; the database cascades it to the user's identities, sessions, refresh tokens, profile and
 * memberships. `should_soft_delete` keeps the row but obfuscates the address, drops the password,
 * the metadata and every session, as GoTrue's `SoftDeleteUser`; the address can then sign up again.
 */
export async function deleteUser(
  req: IncomingMessage,
  res: ServerResponse,
  userId: string,
  context: AuthContext,
): Promise<void> {
  const user = await loadAdminUser(context, userId);
  const { should_soft_delete: soft } = await readJsonBody(req, deleteSchema);
  await context.db.transaction(async (tx) => {
    if (!soft) {
      await tx.query('delete from auth.users where id = $1::uuid', [userId]);
      return;
    }
    if (user.deleted_at !== null) return;
    await tx.query(
      `update auth.users
          set email = $2, phone = case when phone is null then null else $3 end, encrypted_password = null,
              confirmation_token = '', recovery_token = '', email_change_token_new = '', email_change = '',
              raw_user_meta_data = '{}'::jsonb, raw_app_meta_data = '{}'::jsonb, deleted_at = now(), updated_at = now()
        where id = $1::uuid`,
      [userId, obfuscate(userId, user.email ?? ''), obfuscate(userId, user.phone ?? '').slice(0, 15)],
    );
    for (const identity of user.identities) {
      await tx.query(`update auth.identities set identity_data = '{}'::jsonb, provider_id = $2 where id = $1::uuid`, [
        identity.id,
        obfuscate(userId, `${identity.provider}:${identity.provider_id}`),
      ]);
    }
    await tx.query('delete from auth.one_time_tokens where user_id = $1::uuid', [userId]);
    await tx.query('delete from auth.sessions where user_id = $1::uuid', [userId]);
  });
  sendJson(res, 200, {});
}
