import { isApiRole, UnsupportedRoleError } from './api-roles.ts';
import type { Database, Queryable, TransactionOptions } from './database.ts';
import { applyRoleSettingsSql } from './role-settings.ts';

/** The JWT claims a request runs with. `role` picks the Postgres role (anon, authenticated, service_role). */
export interface JwtClaims {
  role: string;
  sub?: string;
  [claim: string]: unknown;
}

export interface ClaimsContext {
  /** `realtime.topic` for realtime.messages policies (the bare channel name). */
  topic?: string;
  /** `request.headers` as PostgREST and Realtime set it. */
  headers?: Record<string, string>;
}

/** The role PostgREST logs in as; its statement and lock timeouts hold for API roles without their own. */
const AUTHENTICATOR = 'authenticator';

/**
 * Sets role and `request.jwt.claims` (and the per-claim settings PostgREST and Realtime set)
 * transaction-locally on `tx`, with the role's own settings as PostgREST applies them per request
 * (anon's 3 s and authenticated's 8 s statement timeouts; service_role keeps the authenticator's
 * 8 s). Only Supabase's API roles are accepted: a token claiming `postgres` must not become it.
 */
export async function applyClaims(tx: Queryable, claims: JwtClaims, context: ClaimsContext = {}): Promise<void> {
  if (!isApiRole(claims.role)) throw new UnsupportedRoleError(claims.role);
  await tx.query(
    `select ${applyRoleSettingsSql('$1', '$6')} as role_settings,
            set_config('role', $1, true),
            set_config('request.jwt.claims', $2, true),
            set_config('request.jwt.claim.sub', $3, true),
            set_config('request.jwt.claim.role', $1, true),
            set_config('realtime.topic', $4, true),
            set_config('request.headers', $5, true)`,
    [
      claims.role,
      JSON.stringify(claims),
      claims.sub ?? '',
      context.topic ?? '',
      JSON.stringify(context.headers ?? {}),
      AUTHENTICATOR,
    ],
  );
}

/** Runs `fn` in a transaction "as" the holder of `claims`, so RLS decides what it sees and writes. */
export async function withClaims<T>(
  db: Database,
  claims: JwtClaims,
  fn: (tx: Queryable) => Promise<T>,
  options: ClaimsContext & TransactionOptions = {},
): Promise<T> {
  return db.transaction(async (tx) => {
    await applyClaims(tx, claims, options);
    return fn(tx);
  }, options);
}
