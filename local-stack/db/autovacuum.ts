import type { Queryable } from './database.ts';
import { startPeriodicTask, type PeriodicTask } from './periodic-task.ts';
import { quoteIdent } from './quote-ident.ts';
import { errorMessage } from '../errors.ts';

/**
 * PostgreSQL's autovacuum defaults: a table is vacuumed once its dead rows pass 50 + 20 % of its
 * live rows, analysed once the rows changed since its last analyse pass 50 + 10 %.
 */
const VACUUM_THRESHOLD = 50;
const VACUUM_SCALE_FACTOR = 0.2;
const ANALYZE_THRESHOLD = 50;
const ANALYZE_SCALE_FACTOR = 0.1;
/** autovacuum_naptime's default: each table is looked at once a minute. */
const AUTOVACUUM_INTERVAL_MS = 60_000;

interface TableStats {
  schema: string;
  name: string;
  vacuum: boolean;
}

/**
 * Autovacuum for PGlite, which has no background workers: once a minute, the tables whose dead or
 * changed rows pass PostgreSQL's default thresholds are vacuumed and analysed, as Supabase's
 * Postgres does on its own.
 *
 * RATIONALE: without it, tables updated in place (agent runs, presence tickets, the change queue
 * Postgres changes consume) keep every dead row version a read has to step over for as long as the
 * stack runs, and tables that grow are planned from no statistics.
 */
export function startAutovacuum(
  db: Queryable,
  options: { intervalMs?: number; log?: (message: string) => void } = {},
): PeriodicTask {
  const log = options.log ?? (() => {});
  return startPeriodicTask(
    async () => {
      await vacuumWhereDue(db);
    },
    options.intervalMs ?? AUTOVACUUM_INTERVAL_MS,
    (error) => log(`autovacuum failed: ${errorMessage(error)}`),
  );
}

/** One autovacuum pass: VACUUM ANALYZE or ANALYZE each table past its threshold; returns what was done. */
export async function vacuumWhereDue(db: Queryable): Promise<string[]> {
  // A backend reports its table statistics when idle; a busy one may not have lately.
  await db.query('select pg_catalog.pg_stat_force_next_flush()');
  const { rows } = await db.query<TableStats>(
    `select schemaname as schema, relname as name,
            n_dead_tup > $1::float8 + $2::float8 * n_live_tup as vacuum
       from pg_catalog.pg_stat_user_tables
      where n_dead_tup > $1::float8 + $2::float8 * n_live_tup or n_mod_since_analyze > $3::float8 + $4::float8 * n_live_tup`,
    [VACUUM_THRESHOLD, VACUUM_SCALE_FACTOR, ANALYZE_THRESHOLD, ANALYZE_SCALE_FACTOR],
  );
  const done: string[] = [];
  for (const table of rows) {
    const name = `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
    // VACUUM cannot run in a transaction; each table is its own command, so one failure skips one.
    await db.exec(`${table.vacuum ? 'vacuum (analyze)' : 'analyze'} ${name}`);
    done.push(`${table.vacuum ? 'vacuum' : 'analyze'} ${table.schema}.${table.name}`);
  }
  return done;
}
