import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../errors.ts';
import type { Database } from './database.ts';
import { maintainMessagePartitions } from './message-partitions.ts';
import { applyMigrations, type AppliedMigration } from './migrations.ts';
import { asMigrationRole } from './role-settings.ts';

const SHIM_DIR = fileURLToPath(new URL('./sql/', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface PrepareOptions {
  /** The Supabase project folder; defaults to this repository's `supabase/`. */
  supabaseDir?: string;
  /** Run `supabase/seed.sql` when the migrations were applied to an empty database (default true). */
  seed?: boolean;
  /** Stop after the shim: for `supabase migration up` tests that apply migrations themselves. */
  shimOnly?: boolean;
}

export interface PrepareResult {
  applied: AppliedMigration[];
  seeded: boolean;
}

/**
 * Installs what a Supabase database already has before a project's migrations run, in the
 * platform's shape (`sql/*.sql` in order, as the connection's superuser, like Supabase's own
 * setup), and keeps today's realtime.messages partitions.
 */
export async function installSupabaseShim(db: Database): Promise<void> {
  const files = (await readdir(SHIM_DIR)).filter((f) => f.endsWith('.sql')).sort();
  for (const file of files) {
    try {
      await db.exec(await readFile(`${SHIM_DIR}${file}`, 'utf8'));
    } catch (error) {
      throw new Error(`Supabase shim ${file} failed: ${errorMessage(error)}`, { cause: error });
    }
  }
  await maintainMessagePartitions(db);
}

/** The shim, then the project's migrations and the seed, both as `postgres` (as `supabase db push` and `db reset` run them). */
export async function prepareDatabase(db: Database, options: PrepareOptions = {}): Promise<PrepareResult> {
  const supabaseDir = options.supabaseDir ?? `${PROJECT_ROOT}supabase`;
  await installSupabaseShim(db);
  if (options.shimOnly) return { applied: [], seeded: false };
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from information_schema.tables
      where table_schema = 'supabase_migrations' and table_name = 'schema_migrations'`,
  );
  const fresh = rows[0]?.n === 0;
  const applied = await applyMigrations(db, `${supabaseDir}/migrations`);
  let seeded = false;
  if (fresh && options.seed !== false) {
    const seed = await readFile(`${supabaseDir}/seed.sql`, 'utf8').catch(() => '');
    if (seed.trim()) {
      await db.transaction(async (tx) => {
        await asMigrationRole(tx);
        await tx.exec(seed);
      });
      seeded = true;
    }
  }
  return { applied, seeded };
}
