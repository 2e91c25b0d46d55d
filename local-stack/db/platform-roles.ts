import pg from 'pg';

/**
 * The two roles a Supabase database is built around. `supabase_admin` is the superuser the
 * platform's own services use; `postgres` is what a project gets: not a superuser, but
 * CREATEDB, CREATEROLE, REPLICATION and BYPASSRLS, a member of the API roles, and the role
 * `supabase db push` runs migrations as (supabase/postgres migration `demote-postgres`).
 */
export const PLATFORM_ADMIN_ROLE = 'supabase_admin';
export const MIGRATION_ROLE = 'postgres';

/** The attributes `postgres` has on Supabase (supabase/postgres `10000000000000_demote-postgres.sql`). */
const MIGRATION_ROLE_ATTRIBUTES = 'nosuperuser createdb createrole login replication bypassrls';

/**
 * A PostgreSQL server whose `postgres` is a superuser cannot stand in for Supabase: migrations
 * that pass there fail after `supabase db push`. Thrown with the one command that reshapes it.
 */
export class NotSupabaseShapedError extends Error {
  constructor(url: string) {
    super(
      `${redact(url)}: role "postgres" is a superuser here, and Supabase's is not. Give this server Supabase's ` +
        `roles once (its superuser becomes supabase_admin, postgres a regular role with the same password): ` +
        `npm run db:supabase-roles -- '${redact(url)}'`,
    );
    this.name = 'NotSupabaseShapedError';
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

interface ConnectedRole {
  name: string;
  superuser: boolean;
  /** Whether a superuser `supabase_admin` exists (the server has Supabase's roles). */
  shaped: boolean;
}

async function connectedRole(url: string): Promise<ConnectedRole> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<ConnectedRole>(
      `select current_user as name, r.rolsuper as superuser,
              exists (select from pg_roles a where a.rolname = $1 and a.rolsuper) as shaped
         from pg_roles r where r.rolname = current_user`,
      [PLATFORM_ADMIN_ROLE],
    );
    return rows[0]!;
  } finally {
    await client.end();
  }
}

/**
 * The connection the local stack uses on a PostgreSQL server: a superuser, because it plays
 * Supabase's own services (Realtime, Auth, PostgREST's authenticator) and installs what the
 * platform installs. A URL naming `postgres` on a server with Supabase's roles connects as
 * `supabase_admin` with the same password, the convention of `supabase start` (both roles share
 * the database password there).
 */
export async function resolveAdminUrl(url: string): Promise<string> {
  const role = await connectedRole(url);
  if (role.superuser && role.name !== MIGRATION_ROLE) return url;
  if (role.superuser) throw new NotSupabaseShapedError(url);
  if (role.name === MIGRATION_ROLE && role.shaped) {
    const admin = new URL(url);
    admin.username = PLATFORM_ADMIN_ROLE;
    return admin.toString();
  }
  throw new Error(
    `${redact(url)}: the local stack needs a superuser connection (it stands in for Supabase's own services); ` +
      `role "${role.name}" is not one`,
  );
}

/**
 * Gives a plain PostgreSQL server Supabase's two roles, once: its bootstrap superuser `postgres`
 * is renamed `supabase_admin`, and a new `postgres` with the platform's attributes takes its
 * name, both with the URL's password. Every database keeps working; objects the old `postgres`
 * owned now belong to `supabase_admin`. Returns false when the server already has them.
 *
 * RATIONALE: a role cannot be renamed while it is the session user, so a short-lived helper
 * superuser becomes the session user for the rename; the connection then continues as
 * `supabase_admin` (allowed, since it logged in as a superuser) and drops the helper.
 */
export async function giveServerSupabaseRoles(url: string): Promise<boolean> {
  const role = await connectedRole(url);
  if (!role.superuser || role.name !== MIGRATION_ROLE) {
    if (role.shaped) return false;
    throw new Error(`${redact(url)}: connect as the server's superuser "postgres" to give it Supabase's roles`);
  }
  const password = decodeURIComponent(new URL(url).password);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    await client.query('create role pubdev_rename_helper superuser');
    await client.query('set session authorization pubdev_rename_helper');
    await client.query(`alter role ${MIGRATION_ROLE} rename to ${PLATFORM_ADMIN_ROLE}`);
    await client.query(`set session authorization ${PLATFORM_ADMIN_ROLE}`);
    await client.query('drop role pubdev_rename_helper');
    await client.query(`create role ${MIGRATION_ROLE} ${MIGRATION_ROLE_ATTRIBUTES}`);
    if (password) {
      // A renamed role loses an md5 password (the hash includes the name): set both anew.
      for (const name of [PLATFORM_ADMIN_ROLE, MIGRATION_ROLE]) {
        const { rows } = await client.query<{ sql: string }>('select format($1, $2::text, $3::text) as sql', [
          'alter role %I password %L',
          name,
          password,
        ]);
        await client.query(rows[0]!.sql);
      }
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
  return true;
}
