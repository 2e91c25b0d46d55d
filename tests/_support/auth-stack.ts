/**
 * Helpers for the auth and functions suites: a stack per test file with its own database,
 * supabase-js clients that never persist or auto-refresh sessions, and raw fetches for the
 * wire shapes no client exposes.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import {
  fixture,
  startLocalStack,
  type Clock,
  type LocalStack,
  type StackConfigInput,
} from '../../local-stack/index.ts';
import { createTestDatabase, type Backend, type TestDatabase } from '../_db.ts';
import { signFixtureToken, type FixtureUser } from './tokens.ts';

export type { FixtureUser } from './tokens.ts';

export interface AuthStack {
  stack: LocalStack;
  database: TestDatabase;
  /** Every line the stack logged (function output, worker starts), for "did it run?" checks. */
  logs: string[];
  /** A fresh supabase-js client; the anon key unless `key` is given. */
  client(key?: string): SupabaseClient;
  /** A client signed in as a fixture user with the fixture password. */
  signedIn(user: FixtureUser): Promise<SupabaseClient>;
  /** Raw request to the stack, `path` starting with `/auth/v1` or `/functions/v1`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** A token for a fixture user signed with the stack's secret, `ttlSeconds` from now (negative: already expired). */
  token(user: FixtureUser, ttlSeconds: number, extra?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

export interface AuthStackOptions {
  /** Put the PostgreSQL test database's URL into the stack config (functions then get SUPABASE_DB_URL). */
  shareDatabaseUrl?: boolean;
  /** The stack's clock (rate limits); the system clock when absent. */
  clock?: Clock;
}

export async function startAuthStack(
  backend: Backend,
  config: StackConfigInput = {},
  options: AuthStackOptions = {},
): Promise<AuthStack> {
  const database = await createTestDatabase(backend);
  if (options.shareDatabaseUrl && database.url) config = { ...config, databaseUrl: database.url };
  const logs: string[] = [];
  const stack = await startLocalStack(
    { port: 0, realtime: { joinErrorDelayMs: 0, connectErrorDelayMs: 0 }, ...config },
    { db: database.db, log: (line) => logs.push(line), ...(options.clock ? { clock: options.clock } : {}) },
  );
  const client = (key: string = stack.config.anonKey) =>
    createClient(stack.url, key, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    });
  return {
    stack,
    database,
    logs,
    client,
    async signedIn(user) {
      const c = client();
      const { error } = await c.auth.signInWithPassword({
        email: fixture.USERS[user].email,
        password: fixture.FIXTURE_PASSWORD,
      });
      if (error) throw error;
      return c;
    },
    fetch: (path, init) => fetch(`${stack.url}${path}`, init),
    token(user, ttlSeconds, extra = {}) {
      // Issued a minute ago, as a token a client has held for a while.
      const iat = Math.floor(Date.now() / 1000) - 60;
      return signFixtureToken(stack.config.jwtSecret, user, ttlSeconds + 60, { now: iat, extra });
    },
    async stop() {
      await stack.stop();
      await database.dispose();
    },
  };
}

/** Resolves once `predicate` holds, re-checking every few milliseconds; for state with no event to await (a process being reaped). */
export async function waitFor(predicate: () => boolean, label: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    // Polling interval: short enough to be quick, long enough not to spin a core.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether a process with this pid still exists (a reaped child no longer does). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
