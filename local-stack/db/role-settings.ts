import type { Queryable } from './database.ts';
import { MIGRATION_ROLE } from './platform-roles.ts';

/**
 * A role's own settings (`alter role … [in database …] set …`), the database-specific one winning,
 * applied transaction-locally with set_config: what a login as that role would get, and what
 * PostgREST applies per request for the role it switches to ("impersonated role settings").
 * `role` and `fallback` are the SQL parameters (`$n`) holding the role and a role whose statement
 * and lock timeouts hold where the role has none (PostgREST's `authenticator`, whose session those
 * requests run in), or null.
 */
export const applyRoleSettingsSql = (role: string, fallback: string): string => `(
  select count(pg_catalog.set_config(s.name, s.value, true)) from (
    select distinct on (name) name, value from (
      select split_part(c, '=', 1) as name, substr(c, strpos(c, '=') + 1) as value,
             d.setrole = r.oid as own, d.setdatabase <> 0 as in_database
        from pg_catalog.pg_db_role_setting d
        cross join lateral unnest(d.setconfig) as c
        join pg_catalog.pg_roles r on r.rolname = ${role}::text
       where d.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
         and (d.setrole = r.oid
              or (d.setrole = (select f.oid from pg_catalog.pg_roles f where f.rolname = ${fallback}::text)
                  and split_part(c, '=', 1) in ('statement_timeout', 'lock_timeout')))
    ) candidates
    order by name, own desc, in_database desc
  ) s
)`;

/**
 * Runs the rest of `tx` as Supabase's non-superuser `postgres`, with its role settings, as
 * `supabase db push` connects: migrations and the seed meet the platform's permission checks.
 * SET SESSION AUTHORIZATION (not SET ROLE) so that a migration's own `set role` is checked against
 * postgres's memberships, not the superuser's.
 */
export async function asMigrationRole(tx: Queryable): Promise<void> {
  await tx.exec(`set local session authorization ${MIGRATION_ROLE}`);
  await tx.query(`select ${applyRoleSettingsSql('$1', '$2')}`, [MIGRATION_ROLE, null]);
}
