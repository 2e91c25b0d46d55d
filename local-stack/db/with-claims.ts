import { isApiRole, UnsupportedRoleError } from './api-roles.ts';
import type { Database, Queryable, TransactionOptions } from './database.ts';
import { AUTHENTICATOR, readRoleSettings, requestRoleSettings, type RoleSettings } from './role-settings.ts';

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

/**
 * Sets role and `request.jwt.claims` (and the per-claim settings PostgREST and Realtime set)
 * transaction-locally on `tx`, with the role's own settings as PostgREST applies them per request
 * (anon's 3 s and authenticated's 8 s statement timeouts; service_role keeps the authenticator's
 * 8 s). Only Supabase's API roles are accepted: a token claiming `postgres` must not become it.
 * `settings` come from {@link requestRoleSettings}; without them they are read here, which costs
 * a catalog query per call.
 */
export async function applyClaims(
  tx: Queryable,
  claims: JwtClaims,
  context: ClaimsContext = {},
  settings?: RoleSettings,
): Promise<void> {
  if (!isApiRole(claims.role)) throw new UnsupportedRoleError(claims.role);
  const apply = settings ?? (await readRoleSettings(tx, claims.role, AUTHENTICATOR));
  // One set_config per setting, parameters after the five below: plain calls plan in no time.
  const roleSettings = apply.map((_, i) => `set_config($${6 + 2 * i}, $${7 + 2 * i}, true),`).join(' ');
  await tx.query(
    `select ${roleSettings}
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
      ...apply.flat(),
    ],
  );
}

/**
 * The role settings a request with `claims` runs with (cached per database). Refuses a non-API role
 * first, so a token cannot make the cache read, or keep, settings of any role it names.
 */
export function settingsForClaims(db: Database, claims: JwtClaims): Promise<RoleSettings> {
  if (!isApiRole(claims.role)) return Promise.reject(new UnsupportedRoleError(claims.role));
  return requestRoleSettings(db, claims.role);
}

/** Runs `fn` in a transaction "as" the holder of `claims`, so RLS decides what it sees and writes. */
export async function withClaims<T>(
  db: Database,
  claims: JwtClaims,
  fn: (tx: Queryable) => Promise<T>,
  options: ClaimsContext & TransactionOptions = {},
): Promise<T> {
  const settings = await settingsForClaims(db, claims);
  return db.transaction(async (tx) => {
    await applyClaims(tx, claims, options, settings);
    return fn(tx);
  }, options);
}
