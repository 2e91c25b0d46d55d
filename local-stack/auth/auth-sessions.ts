import { randomInt, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../db/index.ts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** GoTrue's refresh tokens are 12 random lowercase alphanumerics (`crypto.SecureAlphanumeric(12)`). */
function newRefreshToken(): string {
  let token = '';
  for (let i = 0; i < 12; i++) token += ALPHABET[randomInt(ALPHABET.length)];
  return token;
}

export interface IssuedSession {
  sessionId: string;
  /** When the session began: the `amr` timestamp of every access token it issues. */
  sessionCreatedAt: Date;
  userId: string;
  refreshToken: string;
}

export interface ClientInfo {
  userAgent: string | undefined;
  ip: string | undefined;
}

const sessionRowSchema = z.object({ id: z.string(), user_id: z.string(), created_at: z.date() });

async function insertRefreshToken(
  tx: Queryable,
  userId: string,
  sessionId: string,
  parent: string | null,
): Promise<string> {
  const token = newRefreshToken();
  await tx.query(
    `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, parent, session_id)
     values ('00000000-0000-0000-0000-000000000000', $1, $2, false, $3, $4::uuid)`,
    [token, userId, parent, sessionId],
  );
  return token;
}

/** A new session with its first refresh token (a password sign-in). */
export async function createSession(tx: Queryable, userId: string, client: ClientInfo): Promise<IssuedSession> {
  const { rows } = await tx.query(
    `insert into auth.sessions (id, user_id, user_agent, ip) values ($1::uuid, $2::uuid, $3, $4::inet)
     returning id::text as id, user_id::text as user_id, created_at`,
    [randomUUID(), userId, client.userAgent ?? null, normaliseIp(client.ip)],
  );
  const session = sessionRowSchema.parse(rows[0]);
  const refreshToken = await insertRefreshToken(tx, userId, session.id, null);
  return { sessionId: session.id, sessionCreatedAt: session.created_at, userId, refreshToken };
}

function normaliseIp(ip: string | undefined): string | null {
  if (!ip) return null;
  return ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
}

export type RotationResult =
  | { kind: 'issued'; session: IssuedSession }
  | { kind: 'not_found' }
  | { kind: 'no_session' }
  | { kind: 'already_used' };

const tokenRowSchema = z.object({
  token: z.string(),
  user_id: z.string().nullable(),
  revoked: z.boolean(),
  session_id: z.string().nullable(),
  session_created_at: z.date().nullable(),
  session_user_id: z.string().nullable(),
  reuse_expired: z.boolean(),
});

/**
 * The refresh_token grant with rotation, as GoTrue's `RefreshTokenGrant` decides it:
 * - a live token is revoked and replaced by a child (`parent` = the used token);
 * - a revoked token that is the parent of the session's active token gets that active token back
 *   (the client lost the previous response and retries);
 * - another revoked token is accepted within the reuse interval, otherwise it is a reuse:
 *   every token of the session is revoked (committed) and the grant fails.
 * Must run inside one transaction; an `already_used` result still commits the revocation.
 */
export async function rotateRefreshToken(
  tx: Queryable,
  token: string,
  reuseIntervalSeconds: number,
): Promise<RotationResult> {
  const { rows } = await tx.query(
    `select rt.token, rt.user_id, rt.revoked, rt.session_id::text as session_id,
            s.created_at as session_created_at, s.user_id::text as session_user_id,
            rt.updated_at + make_interval(secs => $2) <= now() as reuse_expired
       from auth.refresh_tokens rt
       left join auth.sessions s on s.id = rt.session_id
      where rt.token = $1
      for update of rt`,
    [token, reuseIntervalSeconds],
  );
  if (rows[0] === undefined) return { kind: 'not_found' };
  const row = tokenRowSchema.parse(rows[0]);
  if (row.session_id === null || row.session_created_at === null || row.session_user_id === null)
    return { kind: 'no_session' };
  const base = { sessionId: row.session_id, sessionCreatedAt: row.session_created_at, userId: row.session_user_id };

  if (row.revoked) {
    const active = await tx.query<{ token: string; parent: string | null }>(
      `select token, parent from auth.refresh_tokens
        where session_id = $1::uuid and revoked = false
        order by id desc limit 1`,
      [row.session_id],
    );
    const current = active.rows[0];
    if (current && current.parent === row.token) {
      return { kind: 'issued', session: { ...base, refreshToken: current.token } };
    }
    if (row.reuse_expired) {
      await tx.query(
        `update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1::uuid and revoked = false`,
        [row.session_id],
      );
      return { kind: 'already_used' };
    }
  } else {
    await tx.query(`update auth.refresh_tokens set revoked = true, updated_at = now() where token = $1`, [row.token]);
  }
  const refreshToken = await insertRefreshToken(tx, base.userId, base.sessionId, row.token);
  await tx.query(`update auth.sessions set updated_at = now() where id = $1::uuid`, [base.sessionId]);
  return { kind: 'issued', session: { ...base, refreshToken } };
}

export async function sessionExists(db: Queryable, sessionId: string): Promise<boolean> {
  const { rows } = await db.query(`select 1 from auth.sessions where id = $1::uuid`, [sessionId]);
  return rows.length > 0;
}

export type LogoutScope = 'global' | 'local' | 'others';

/**
 * GoTrue's logout: deleting sessions deletes their refresh tokens (foreign key cascade), so they
 * can no longer be exchanged; access tokens stay valid until they expire, as in Supabase.
 */
export async function logout(tx: Queryable, scope: LogoutScope, userId: string, sessionId: string): Promise<void> {
  switch (scope) {
    case 'local':
      await tx.query(`delete from auth.sessions where id = $1::uuid`, [sessionId]);
      return;
    case 'others':
      await tx.query(`delete from auth.sessions where user_id = $1::uuid and id <> $2::uuid`, [userId, sessionId]);
      return;
    case 'global':
      await tx.query(`delete from auth.sessions where user_id = $1::uuid`, [userId]);
      await tx.query(`delete from auth.refresh_tokens where user_id = $1`, [userId]);
      return;
  }
}
