import pg from 'pg';
import type { ConnectionChange, Database, Queryable, QueryResult, TransactionOptions } from './database.ts';
import { resolveAdminUrl } from './platform-roles.ts';
import { superviseListen, type SupervisedListen } from './postgres-listener.ts';

// int8 (count(*), bigserial, seq) as a JS number: our values stay far below 2^53, and PGlite does the same.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** A pool connection attempt to a server that accepts TCP but never answers fails after this. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * A real PostgreSQL through a small pool that connects as the server's Supabase superuser (see
 * {@link resolveAdminUrl}; migrations and the seed switch to `postgres` themselves). Each LISTEN
 * holds one dedicated, self-reconnecting client. A restart of the server costs the requests that were in flight (they fail and the
 * pool discards their connections); the next requests open new connections.
 */
export async function openPostgres(url: string, options: { max?: number } = {}): Promise<Database> {
  const connectionString = await resolveAdminUrl(url);
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle client that loses its connection must not crash the stack; the pool drops it.
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

  const listeners = new Set<SupervisedListen>();
  const down = new Set<string>();
  const watchers = new Set<(change: ConnectionChange) => void>();
  const emit = (change: ConnectionChange) => {
    for (const watcher of [...watchers]) watcher(change);
  };
  let nextListen = 0;
  const root = wrap(pool);
  return {
    kind: 'postgres',
    query: root.query,
    exec: root.exec,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
      const client = await pool.connect();
      // A connection that failed mid-transaction (the server went away) must not go back to the pool.
      let broken = false;
      // Between two queries a checked-out client reports a dropped connection as an `error` event,
      // which would otherwise be an uncaught exception; the next query fails and says why.
      const onError = () => {
        broken = true;
      };
      client.on('error', onError);
      try {
        await client.query('begin');
        const result = await fn(wrap(client));
        await client.query(options.rollback ? 'rollback' : 'commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    async listen(channel, onNotify) {
      const id = `${channel}#${nextListen++}`;
      const listener = await superviseListen({
        connectionString,
        channel,
        onNotify,
        onConnectedChange(connected) {
          if (!connected) {
            down.add(id);
            if (down.size === 1) emit('lost');
          } else if (down.delete(id) && down.size === 0) {
            emit('restored');
          }
        },
      });
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
        if (down.delete(id) && down.size === 0) emit('restored');
        await listener.stop();
      };
    },
    onConnectionChange(listener) {
      watchers.add(listener);
      return () => void watchers.delete(listener);
    },
    async close() {
      watchers.clear();
      await Promise.all([...listeners].map((l) => l.stop()));
      listeners.clear();
      await pool.end();
    },
  };
}
