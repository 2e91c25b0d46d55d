/**
 * Time spent in the database per statement text, for `npm run soak -- --sql-profile`: wraps a
 * Database so that every query and exec (inside transactions too) is timed, keyed by its SQL with
 * the whitespace collapsed. A CPU profile of the stack shows only "inside PGlite"; this says which
 * statements that time went to, and, taken once a minute, which of them grow as the soak runs.
 * On PGlite a statement outside a transaction first waits for the one connection: its time includes
 * that wait, so compare such statements with care (statements inside a transaction never wait).
 */
import { performance } from 'node:perf_hooks';
import type { Database, Queryable } from '../../local-stack/db/index.ts';

export interface StatementTime {
  /** The statement, whitespace collapsed, cut at 600 characters (REST reads name their table late). */
  readonly sql: string;
  readonly calls: number;
  readonly totalMs: number;
}

const SQL_SHOWN = 600;

export class SqlTimer {
  private times = new Map<string, { calls: number; totalMs: number }>();

  /** `db` with every statement timed into this timer. */
  wrap(db: Database): Database {
    const timed = this.timed(db);
    return {
      kind: db.kind,
      query: timed.query,
      exec: timed.exec,
      transaction: (fn, options) => db.transaction((tx) => fn(this.timed(tx)), options),
      listen: (channel, onNotify) => db.listen(channel, onNotify),
      onConnectionChange: (listener) => db.onConnectionChange(listener),
      close: () => db.close(),
    };
  }

  /** The statements of the period since the last call, most time first; starts a new period. */
  take(count: number): StatementTime[] {
    const period = this.times;
    this.times = new Map();
    return [...period]
      .map(([sql, time]) => ({ sql: sql.slice(0, SQL_SHOWN), ...time }))
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, count);
  }

  private timed(target: Queryable): Queryable {
    const time = this.time.bind(this);
    return {
      query<Row>(sql: string, params?: readonly unknown[]) {
        return time(sql, () => target.query<Row>(sql, params));
      },
      exec: (sql) => time(sql, () => target.exec(sql)),
    };
  }

  private async time<T>(sql: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      const key = sql.replace(/\s+/g, ' ').trim();
      const entry = this.times.get(key) ?? { calls: 0, totalMs: 0 };
      entry.calls += 1;
      entry.totalMs += performance.now() - started;
      this.times.set(key, entry);
    }
  }
}
