/**
 * Test databases for the DB and local-stack suites: PGlite always, and the machine's PostgreSQL
 * when PUBDEV_TEST_POSTGRES_URL is set (.ci/run sets it). In CI a missing PostgreSQL is an error,
 * never a silent skip.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  openDatabase,
  prepareDatabase,
  resolveAdminUrl,
  type Database,
  type PrepareOptions,
} from '../local-stack/db/index.ts';

export type Backend = 'pglite' | 'postgres';

export const TEST_POSTGRES_URL = process.env.PUBDEV_TEST_POSTGRES_URL;
if (process.env.CI && !TEST_POSTGRES_URL) {
  throw new Error('CI runs the DB suites on PostgreSQL too: set PUBDEV_TEST_POSTGRES_URL (see .ci/run)');
}

/** The backends every DB suite runs on. */
export const BACKENDS: readonly Backend[] = TEST_POSTGRES_URL ? ['pglite', 'postgres'] : ['pglite'];

/**
 * The template the global setup prepares once per run (shim + migrations + seed). Named per run
 * so that two runs on one server (two developers, or a watch run beside a full run) never drop
 * each other's template.
 */
const TEMPLATE_DATABASE = process.env.PUBDEV_TEST_TEMPLATE ?? 'pubdev_test_template';

export interface TestDatabase {
  db: Database;
  backend: Backend;
  /** The connection string, for PostgreSQL (tools such as the Supabase CLI need one). */
  url?: string;
  dispose(): Promise<void>;
}

export function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

let adminUrl: Promise<string> | undefined;
/**
 * The test server's superuser (`supabase_admin` once the server has Supabase's roles, see
 * `npm run db:supabase-roles`): it creates and drops the test databases, as the platform does,
 * and can end the stack's superuser connections that `drop … with (force)` must close.
 */
export function testAdminUrl(): Promise<string> {
  adminUrl ??= resolveAdminUrl(TEST_POSTGRES_URL!);
  return adminUrl;
}

async function createPostgresDatabase(template: string): Promise<string> {
  const name = `pubdev_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: await testAdminUrl() });
  await admin.connect();
  try {
    // Copies of one template may collide for a moment; PostgreSQL asks the caller to retry.
    for (let attempt = 0; ; attempt++) {
      try {
        // A project's database belongs to `postgres` on Supabase (the shim says so for new ones).
        await admin.query(`create database ${name} template ${template} owner postgres`);
        break;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // PostgreSQL copies no per-database settings from a template (the shim's search_path).
    const { rows } = await admin.query<{ setting: string }>(
      `select unnest(s.setconfig) as setting from pg_db_role_setting s join pg_database d on d.oid = s.setdatabase
        where d.datname = $1 and s.setrole = 0`,
      [template],
    );
    for (const { setting } of rows) {
      const at = setting.indexOf('=');
      await admin.query(`alter database ${name} set ${setting.slice(0, at)} to ${setting.slice(at + 1)}`);
    }
  } finally {
    await admin.end();
  }
  return databaseUrl(TEST_POSTGRES_URL!, name);
}

/** Drops a database on the test server, closing whatever is still connected to it. */
export async function dropPostgresDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: await testAdminUrl() });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

/**
 * A fresh database with the shim, the migrations and the seed applied (or only the shim with
 * `shimOnly`). Each test file gets its own, so suites never see each other's writes.
 */
export async function createTestDatabase(backend: Backend, options: PrepareOptions = {}): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const db = await openDatabase();
    await prepareDatabase(db, options);
    return { db, backend, dispose: () => db.close() };
  }
  const custom = options.shimOnly || options.seed === false || options.supabaseDir !== undefined;
  const url = await createPostgresDatabase(custom ? 'template0' : TEMPLATE_DATABASE);
  const db = await openDatabase({ url });
  if (custom) await prepareDatabase(db, options);
  return {
    db,
    backend,
    url,
    async dispose() {
      await db.close();
      await dropPostgresDatabase(new URL(url).pathname.slice(1));
    },
  };
}
