/**
 * Helpers for the DB suites: run SQL as a fixture user (RLS applies), classify a write as
 * allowed or refused, and capture the realtime.messages rows a statement produced.
 */
import {
  isPostgresError,
  withClaims,
  type Database,
  type JwtClaims,
  type Queryable,
} from '../../local-stack/db/index.ts';
import { fixtureClaims, type FixtureUser } from '../_support/tokens.ts';

/** Every caller the matrices cover: the four fixture users and an anonymous client. */
export type Caller = FixtureUser | 'anon';
export const CALLERS: readonly Caller[] = ['acmeOwner', 'acmeWest', 'acmeAgent', 'globexMember', 'anon'];

/** The claims Supabase Auth puts in a signed-in user's access token (or the anon key's). */
export function claimsFor(caller: Caller): JwtClaims {
  if (caller === 'anon') return { role: 'anon' };
  return fixtureClaims(caller);
}

/** Runs `fn` as `caller` in a transaction that is always rolled back. */
export function asCaller<T>(db: Database, caller: Caller, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return withClaims(db, claimsFor(caller), fn, { rollback: true });
}

export type Outcome = 'allowed' | 'refused';

/**
 * A write is allowed when it touched at least one row. RLS refuses either silently (a `using`
 * clause hides the row: 0 rows) or loudly (`with check` or a missing column grant: SQLSTATE 42501).
 * Any other error is a bug in the test or the schema and is rethrown.
 */
export async function attempt(
  db: Database,
  caller: Caller,
  sql: string,
  params: readonly unknown[] = [],
): Promise<Outcome> {
  try {
    const { affectedRows } = await asCaller(db, caller, (tx) => tx.query(sql, params));
    return affectedRows > 0 ? 'allowed' : 'refused';
  } catch (error) {
    if (isPostgresError(error) && error.code === '42501') return 'refused';
    throw error;
  }
}

export interface CapturedMessage {
  topic: string;
  event: string;
  private: boolean;
  extension: string;
  payload: Record<string, unknown> & { id: string };
}

/**
 * Runs `fn` (as `caller`, or as the migration role when `caller` is null) in a transaction that
 * is rolled back, and returns the realtime.messages rows inserted by that transaction, sorted by
 * topic then payload id. Rows of this transaction are those stamped with its start time.
 */
export async function captureMessages<T>(
  db: Database,
  caller: Caller | null,
  fn: (tx: Queryable) => Promise<T>,
): Promise<{ result: T; messages: CapturedMessage[] }> {
  const run = async (tx: Queryable) => {
    const result = await fn(tx);
    if (caller !== null) await tx.query('reset role');
    const { rows } = await tx.query<CapturedMessage>(
      `select topic, event, private, extension, payload from realtime.messages
        where inserted_at = now()::timestamp`,
    );
    rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.payload.id.localeCompare(b.payload.id));
    return { result, messages: rows };
  };
  if (caller === null) return db.transaction(run, { rollback: true });
  return withClaims(db, claimsFor(caller), run, { rollback: true });
}
