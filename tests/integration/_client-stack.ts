/**
 * Helpers for the client suites: a local stack per test file (port 0), supabase-js clients signed
 * in as fixture users (sessions in memory, refreshed only by the realtime core), a realtime core
 * per user, and "wait until a snapshot says so" on top of the stores' subscribe contract.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import {
  createRealtimeClient,
  type ReadableStore,
  type RealtimeClient,
  type RealtimeClientOptions,
} from '../../src/realtime/index.ts';
import { ORGS } from '../../supabase/fixture.ts';
import type { StackConfigInput } from '../../local-stack/config.ts';
import type { Backend } from '../_db.ts';
import { startAuthStack, type AuthStack, type FixtureUser } from '../_support/auth-stack.ts';

export const ACME = ORGS.acme.id;
/** How long a test waits for a snapshot that should come promptly (catch-up runs every 2.5 s). */
const SNAPSHOT_WAIT_MS = 8000;

export interface ClientStack extends AuthStack {
  /** A realtime core for a fixture user, disposed (with its supabase-js client) by stop(). */
  core(
    user: FixtureUser,
    options?: Partial<RealtimeClientOptions>,
  ): Promise<{ core: RealtimeClient; supabase: SupabaseClient }>;
  /** A supabase-js client with the service role (writes as the database would be written by a backend). */
  service(): SupabaseClient;
}

export async function startClientStack(backend: Backend, config: StackConfigInput = {}): Promise<ClientStack> {
  const base = await startAuthStack(backend, config);
  const cores: { core: RealtimeClient; supabase: SupabaseClient }[] = [];
  return {
    ...base,
    async core(user, options = {}) {
      const supabase = await base.signedIn(user);
      const core = createRealtimeClient({ supabase, organizationId: ACME, channelGraceMs: 50, ...options });
      cores.push({ core, supabase });
      return { core, supabase };
    },
    service: () => base.client(base.stack.config.serviceRoleKey),
    async stop() {
      for (const { core, supabase } of cores.splice(0)) {
        await core.dispose();
        await supabase.removeAllChannels();
      }
      await base.stop();
    },
  };
}

/**
 * Subscribes to `store` and resolves with the first snapshot that satisfies `predicate` (the
 * current one included); rejects with the last snapshot after `timeoutMs`.
 */
export function until<T>(
  store: ReadableStore<T>,
  predicate: (snapshot: T) => boolean,
  what: string,
  timeoutMs = SNAPSHOT_WAIT_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const check = () => {
      if (done) return;
      const snapshot = store.getSnapshot();
      if (!predicate(snapshot)) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      resolve(snapshot);
    };
    const unsubscribe = store.subscribe(check);
    const timer = setTimeout(() => {
      done = true;
      unsubscribe();
      reject(
        new Error(
          `timed out waiting for ${what}; last snapshot: ${JSON.stringify(store.getSnapshot()).slice(0, 1500)}`,
        ),
      );
    }, timeoutMs);
    check();
  });
}

/** Keeps a store active (subscribed) and records every snapshot it publishes. */
export function record<T>(store: ReadableStore<T>): { snapshots: T[]; stop: () => void } {
  const snapshots: T[] = [store.getSnapshot()];
  const stop = store.subscribe(() => snapshots.push(store.getSnapshot()));
  return { snapshots, stop };
}
