/**
 * Helpers for the /rest/v1 suites: a stack per test file on its own database, whose every SQL
 * text is recorded (to prove request text never becomes SQL), supabase-js clients for the fixture
 * users with tokens signed by the stack's secret, and raw fetches for wire details.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { Database, Queryable } from '../../local-stack/db/index.ts';
import { startLocalStack, type LocalStack } from '../../local-stack/index.ts';
import { createTestDatabase, type Backend, type TestDatabase } from '../_db.ts';
import { signFixtureToken, type FixtureUser } from './tokens.ts';

/** Every statement the stack ran: its SQL text and its bound parameters. */
interface SqlRecord {
  sql: string;
  params: readonly unknown[];
}

/** Wraps a Database so that every query/exec, inside transactions too, is recorded before it runs. */
function recordingDatabase(db: Database, log: SqlRecord[]): Database {
  const wrap = (target: Queryable): Queryable => ({
    query(sql, params = []) {
      log.push({ sql, params });
      return target.query(sql, params);
    },
    exec(sql) {
      log.push({ sql, params: [] });
      return target.exec(sql);
    },
  });
  const root = wrap(db);
  return {
    kind: db.kind,
    query: root.query,
    exec: root.exec,
    transaction: (fn, options) => db.transaction((tx) => fn(wrap(tx)), options),
    listen: (channel, onNotify) => db.listen(channel, onNotify),
    onConnectionChange: (listener) => db.onConnectionChange(listener),
    close: () => db.close(),
  };
}

/**
 * Functions the rpc tests call, and a view that writes (a sequence) for the read-only checks. The
 * functions run as the caller (security invoker), so RLS still decides what they count and return.
 * Created by the test, not by a migration: the project has no RPCs yet.
 */
const TEST_FUNCTIONS = `
create sequence public.hits;
create function public.publisher_count(org uuid, min_version int default 1) returns int
language sql stable as $$
  select count(*)::int from public.publishers where organization_id = org and version >= min_version
$$;
create function public.publishers_in(territory_filter text default null) returns setof public.publishers
language sql stable as $$
  select * from public.publishers where territory_filter is null or territory = territory_filter
$$;
create function public.echo_json(payload jsonb) returns jsonb
language sql immutable as $$ select payload $$;
create function public.touch_nothing() returns void
language sql volatile as $$ select $$;
create function public.next_hit() returns bigint
language sql volatile as $$ select nextval('public.hits') $$;
create view public.hit_counter as select nextval('public.hits') as n;
`;

export interface RestStack {
  stack: LocalStack;
  database: TestDatabase;
  /** SQL the stack ran since the start (or the last `sqlLog.length = 0`). */
  sqlLog: SqlRecord[];
  /** A fixture user's client (token via `accessToken`), or the anon/service_role key's. */
  client(who: FixtureUser | 'anon' | 'service_role'): Promise<SupabaseClient>;
  token(user: FixtureUser, ttlSeconds?: number): Promise<string>;
  /** Raw request; `path` starts with `/rest/v1`. Sends the anon apikey unless headers say otherwise. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export async function startRestStack(backend: Backend): Promise<RestStack> {
  const database = await createTestDatabase(backend);
  await database.db.exec(TEST_FUNCTIONS);
  const sqlLog: SqlRecord[] = [];
  const stack = await startLocalStack(
    { port: 0, realtime: { joinErrorDelayMs: 0, connectErrorDelayMs: 0 } },
    { db: recordingDatabase(database.db, sqlLog) },
  );
  const token = (user: FixtureUser, ttlSeconds = 3600) =>
    signFixtureToken(stack.config.jwtSecret, user, ttlSeconds, { extra: { session_id: `session-${user}` } });
  const options = { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } };
  return {
    stack,
    database,
    sqlLog,
    token,
    async client(who) {
      if (who === 'anon') return createClient(stack.url, stack.config.anonKey, options);
      if (who === 'service_role') return createClient(stack.url, stack.config.serviceRoleKey, options);
      const accessToken = await token(who);
      return createClient(stack.url, stack.config.anonKey, { ...options, accessToken: async () => accessToken });
    },
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has('apikey')) headers.set('apikey', stack.config.anonKey);
      return fetch(`${stack.url}${path}`, { ...init, headers });
    },
    async stop() {
      await stack.stop();
      await database.dispose();
    },
  };
}
