import { PGlite, type Transaction } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import type { Database, Queryable, QueryResult, TransactionOptions } from './database.ts';
import { MIGRATION_ROLE, PLATFORM_ADMIN_ROLE } from './platform-roles.ts';

/**
 * PGlite's one session is its bootstrap superuser (initdb names it `postgres`). Supabase's
 * superuser is `supabase_admin` and its `postgres` is a regular role, so the bootstrap role is
 * renamed before anything else runs; the shim then creates the platform's `postgres`. A role
 * cannot be renamed while it is the session user, hence the helper session.
 */
async function renameBootstrapSuperuser(pg: PGlite, dataDir: string | undefined): Promise<void> {
  const { rows } = await pg.query<{ bootstrap: string; migrated: boolean }>(
    `select (select rolname from pg_roles where oid = 10) as bootstrap,
            to_regclass('supabase_migrations.schema_migrations') is not null as migrated`,
  );
  const { bootstrap, migrated } = rows[0]!;
  if (bootstrap === PLATFORM_ADMIN_ROLE) {
    // A data directory this stack made before. PGlite starts its session under the name
    // `postgres`, which is now the platform's regular role: the end of every transaction that ran
    // as postgres (migrations, the seed) would fall back to it. Make the superuser the session's.
    await pg.exec(`set session authorization ${PLATFORM_ADMIN_ROLE}`);
    return;
  }
  if (bootstrap !== MIGRATION_ROLE) return;
  if (migrated) {
    throw new Error(
      `PUBDEV_DATA_DIR ${dataDir}: this data directory was made by an earlier local stack whose migrations ran as a ` +
        `superuser; they now run as Supabase's non-superuser postgres. Delete the directory to recreate it.`,
    );
  }
  await pg.exec(`
    create role pubdev_rename_helper superuser;
    set session authorization pubdev_rename_helper;
    alter role ${MIGRATION_ROLE} rename to ${PLATFORM_ADMIN_ROLE};
    set session authorization ${PLATFORM_ADMIN_ROLE};
    drop role pubdev_rename_helper;`);
}

/**
 * Embedded Postgres (WASM). One connection: PGlite serialises all work, and `transaction`
 * holds it exclusively, so transaction-local settings never leak between callers.
 */
export async function openPGlite(options: { dataDir?: string } = {}): Promise<Database> {
  const pg = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    extensions: { pgcrypto },
  });
  try {
    await renameBootstrapSuperuser(pg, options.dataDir);
    // RATIONALE: migrations run under `set local session authorization postgres`. PGlite returns to
    // the session-level authorization when such a transaction ends, and without an explicit one
    // (a data directory opened again, where no rename ran) it stays `postgres` instead: the next
    // start would then install the stack's own objects without the superuser's rights.
    await pg.exec(`set session authorization ${PLATFORM_ADMIN_ROLE}`);
  } catch (error) {
    await pg.close();
    throw error;
  }

  const wrap = (target: PGlite | Transaction): Queryable => ({
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await target.query<Row>(sql, params as unknown[]);
      return { rows: result.rows, fields: result.fields, affectedRows: result.affectedRows ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await target.exec(sql);
    },
  });

  const root = wrap(pg);
  return {
    kind: 'pglite',
    query: root.query,
    exec: root.exec,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
      return pg.transaction(async (tx) => {
        const result = await fn(wrap(tx));
        if (options.rollback) await tx.rollback();
        return result;
      });
    },
    async listen(channel, onNotify) {
      const unlisten = await pg.listen(channel, onNotify);
      return async () => {
        if (!pg.closed) await unlisten();
      };
    },
    // In-process: the database lives and dies with the stack, so there is no connection to lose.
    onConnectionChange: () => () => undefined,
    async close() {
      if (!pg.closed) await pg.close();
    },
  };
}
