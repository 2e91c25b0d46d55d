import type { Database, Queryable } from './database.ts';
import { MIGRATION_ROLE } from './platform-roles.ts';

/** A role's settings as `[name, value]` pairs, applied with set_config. */
export type RoleSettings = ReadonlyArray<readonly [string, string]>;

/** The role PostgREST logs in as; its statement and lock timeouts hold for API roles without their own. */
export const AUTHENTICATOR = 'authenticator';

/**
 * A role's own settings (`alter role … [in database …] set …`), the database-specific one winning:
 * what a login as that role would get, and what PostgREST applies per request for the role it
 * switches to ("impersonated role settings"). `fallback` is a role whose statement and lock
 * timeouts hold where the role has none (PostgREST's authenticator, whose session those requests
 * run in), or null.
 */
const ROLE_SETTINGS_SQL = `
  select distinct on (name) name, value from (
    select split_part(c, '=', 1) as name, substr(c, strpos(c, '=') + 1) as value,
           d.setrole = r.oid as own, d.setdatabase <> 0 as in_database
      from pg_catalog.pg_db_role_setting d
      cross join lateral unnest(d.setconfig) as c
      join pg_catalog.pg_roles r on r.rolname = $1::text
     where d.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
       and (d.setrole = r.oid
            or (d.setrole = (select f.oid from pg_catalog.pg_roles f where f.rolname = $2::text)
                and split_part(c, '=', 1) in ('statement_timeout', 'lock_timeout')))
  ) candidates
  order by name, own desc, in_database desc`;

export async function readRoleSettings(db: Queryable, role: string, fallback: string | null): Promise<RoleSettings> {
  const { rows } = await db.query<{ name: string; value: string }>(ROLE_SETTINGS_SQL, [role, fallback]);
  return rows.map((r) => [r.name, r.value] as const);
}

const cache = new WeakMap<Database, Map<string, Promise<RoleSettings>>>();

/**
 * The settings a request as `role` runs with, read once per database and role. PostgREST reads
 * them once too (with its schema cache): an `alter role … set` takes effect on the next start.
 */
export function requestRoleSettings(db: Database, role: string): Promise<RoleSettings> {
  let roles = cache.get(db);
  if (!roles) cache.set(db, (roles = new Map()));
  let settings = roles.get(role);
  if (!settings) {
    settings = readRoleSettings(db, role, AUTHENTICATOR);
    // A failed read is not remembered: the next request asks again.
    settings.catch(() => roles.delete(role));
    roles.set(role, settings);
  }
  return settings;
}

/**
 * Runs the rest of `tx` as Supabase's non-superuser `postgres`, with its role settings, as
 * `supabase db push` connects: migrations and the seed meet the platform's permission checks.
 * SET SESSION AUTHORIZATION (not SET ROLE) so that a migration's own `set role` is checked against
 * postgres's memberships, not the superuser's.
 */
export async function asMigrationRole(tx: Queryable): Promise<void> {
  const settings = await readRoleSettings(tx, MIGRATION_ROLE, null);
  await tx.exec(`set local session authorization ${MIGRATION_ROLE}`);
  for (const [name, value] of settings) await tx.query('select set_config($1, $2, true)', [name, value]);
}
