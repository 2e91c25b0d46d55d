/**
 * The one database interface the local stack uses, over embedded PGlite or a real PostgreSQL.
 * Both speak the same SQL; only connection handling differs.
 */

export interface QueryField {
  name: string;
  dataTypeID: number;
}

export interface QueryResult<Row> {
  rows: Row[];
  fields: QueryField[];
  /** Rows inserted/updated/deleted by the statement. */
  affectedRows: number;
}

export interface Queryable {
  /** One statement with `$1…$n` bound parameters. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** A script of several statements, no parameters (migrations, the shim). */
  exec(sql: string): Promise<void>;
}

export interface TransactionOptions {
  /** Roll back instead of committing — for probes that must leave nothing behind (§6.2 of the protocol reference). */
  rollback?: boolean;
}

export type DatabaseKind = 'pglite' | 'postgres';

/**
 * `lost`: a connection the stack keeps open (a LISTEN) dropped — the server restarted, crashed or
 * cut it; `restored`: every such connection is back and listening again. What was notified in
 * between is gone, as a temporary replication slot's changes are gone after a restart.
 */
export type ConnectionChange = 'lost' | 'restored';

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Runs `fn` in one transaction on one connection; commits unless it throws or `rollback` is set. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** LISTEN on `channel`; notifications arrive after the notifying transaction commits. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** Tells `listener` when the database is lost and when it is back (embedded PGlite never is lost). */
  onConnectionChange(listener: (change: ConnectionChange) => void): () => void;
  close(): Promise<void>;
}

/** Errors coming back from Postgres carry the SQLSTATE in `code` on both drivers. */
export interface PostgresError extends Error {
  code?: string;
  detail?: string;
  hint?: string;
}

export function isPostgresError(error: unknown): error is PostgresError {
  return error instanceof Error && typeof (error as PostgresError).code === 'string';
}

/** SQLSTATEs the stack reacts to by code, never by message text (which differs across versions and locales). */
export const SQLSTATE = {
  /** `duplicate_object`: e.g. a trigger of that name already exists on the table. */
  duplicateObject: '42710',
} as const;

/** Whether `error` is a Postgres error with exactly this SQLSTATE. */
export function hasSqlState(error: unknown, code: string): boolean {
  return isPostgresError(error) && error.code === code;
}
