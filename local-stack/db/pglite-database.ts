import { PGlite, type Transaction } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import type { Database, Queryable, QueryResult, TransactionOptions } from './database.ts';

/**
 * Embedded Postgres (WASM). One connection: PGlite serialises all work, and `transaction`
 * holds it exclusively, so transaction-local settings never leak between callers.
 */
export async function openPGlite(options: { dataDir?: string } = {}): Promise<Database> {
  const pg = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    extensions: { pgcrypto },
  });

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
