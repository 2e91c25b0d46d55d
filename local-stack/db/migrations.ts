import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../errors.ts';
import type { Database } from './database.ts';
import { asMigrationRole } from './role-settings.ts';

const MIGRATION_FILE = /^(\d{14})_([a-z0-9_]+)\.sql$/;

export interface AppliedMigration {
  version: string;
  name: string;
}

/**
 * Applies `supabase/migrations/<timestamp>_<name>.sql` in order, each in its own transaction, as
 * the non-superuser `postgres` (see asMigrationRole), recording them in the table the Supabase CLI
 * uses (`supabase_migrations.schema_migrations`, which it creates as postgres too), so
 * `supabase migration up --db-url …` and this runner agree on what has been applied.
 */
export async function applyMigrations(db: Database, directory: string): Promise<AppliedMigration[]> {
  await db.transaction(async (tx) => {
    await asMigrationRole(tx);
    await tx.exec(`
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (
        version text primary key, statements text[], name text
      );`);
  });
  const files = (await readdir(directory)).filter((f) => f.endsWith('.sql')).sort();
  const { rows } = await db.query<{ version: string }>('select version from supabase_migrations.schema_migrations');
  const done = new Set(rows.map((r) => r.version));
  const applied: AppliedMigration[] = [];
  for (const file of files) {
    const match = MIGRATION_FILE.exec(file);
    if (!match) throw new Error(`Migration file name must be <14-digit timestamp>_<snake_case>.sql: ${file}`);
    const [, version = '', name = ''] = match;
    if (done.has(version)) continue;
    const sql = await readFile(join(directory, file), 'utf8');
    try {
      await db.transaction(async (tx) => {
        await asMigrationRole(tx);
        await tx.exec(sql);
        await tx.query(
          'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)',
          [version, name, [sql]],
        );
      });
    } catch (error) {
      throw new Error(`Migration ${file} failed: ${errorMessage(error)}`, { cause: error });
    }
    applied.push({ version, name });
  }
  return applied;
}
