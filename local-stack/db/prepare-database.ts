import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.ts';
import { maintainMessagePartitions } from './message-partitions.ts';
import { applyMigrations, type AppliedMigration } from './migrations.ts';

/** The shim, then the auth tables only the Auth server's sign-up, admin and verify endpoints use. */
const SHIM_FILES = ['supabase-shim.sql', '07-auth-identities.sql'].map((file) =>
  fileURLToPath(new URL(`./sql/${file}`, import.meta.url)),
);
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

/** Installs what a Supabase database already has, then the project's migrations, then the seed. */
export async function installSupabaseShim(db: Database): Promise<void> {
  for (const file of SHIM_FILES) await db.exec(await readFile(file, 'utf8'));
  await maintainMessagePartitions(db);
}

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
      await db.transaction((tx) => tx.exec(seed));
      seeded = true;
    }
  }
  return { applied, seeded };
}
