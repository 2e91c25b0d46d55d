import pg from 'pg';
import type { Database, Queryable, QueryResult, TransactionOptions } from './database.ts';
import { resolveAdminUrl } from './platform-roles.ts';

// int8 (count(*), bigserial, seq) as a JS number: our values stay far below 2^53, and PGlite does the same.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * A real PostgreSQL through a small pool; LISTEN holds one dedicated client. The pool connects as
 * the server's Supabase superuser (see {@link resolveAdminUrl}); migrations and the seed switch to
 * `postgres` themselves.
 */
export async function openPostgres(url: string, options: { max?: number } = {}): Promise<Database> {
  const connectionString = await resolveAdminUrl(url);
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  // An idle client that loses its connection must not crash the stack.
  pool.on('error', () => {});
  await pool.query('select 1');

  const wrap = (target: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await target.query(sql, params as unknown[]);
      return {
        rows: result.rows as Row[],
        fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
        affectedRows: result.rowCount ?? 0,
      };
    },
    async exec(sql: string): Promise<void> {
      // The simple-query protocol (no parameters) runs a multi-statement script.
      await target.query(sql);
    },
  });

  const listeners: pg.Client[] = [];
  const root = wrap(pool);
  return {
    kind: 'postgres',
    query: root.query,
    exec: root.exec,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn(wrap(client));
        await client.query(options.rollback ? 'rollback' : 'commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async listen(channel, onNotify) {
      const client = new pg.Client({ connectionString });
      client.on('error', () => {});
      await client.connect();
      client.on('notification', (message) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      });
      await client.query(`listen "${channel.replaceAll('"', '""')}"`);
      listeners.push(client);
      return async () => {
        listeners.splice(listeners.indexOf(client), 1);
        await client.end().catch(() => {});
      };
    },
    async close() {
      await Promise.all(listeners.splice(0).map((c) => c.end().catch(() => {})));
      await pool.end();
    },
  };
}
