/**
 * supabase-js clients for the fixture users against a local stack, and promise helpers around
 * `channel.subscribe`. Tokens are signed with the stack's JWT secret and handed over through the
 * `accessToken` option, exactly as an app with its own auth would, so these suites depend only on
 * the Realtime part of the stack.
 */
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import type { LocalStack } from '../../local-stack/index.ts';
import { signFixtureToken, type FixtureUser } from './tokens.ts';

function userToken(stack: LocalStack, user: FixtureUser): Promise<string> {
  return signFixtureToken(stack.config.jwtSecret, user);
}

export interface UserClients {
  client(user: FixtureUser | 'service_role', vsn?: '1.0.0' | '2.0.0'): Promise<SupabaseClient>;
  /** Disconnects every client made so far. */
  closeAll(): Promise<void>;
}

export function userClients(stack: LocalStack): UserClients {
  const made: SupabaseClient[] = [];
  return {
    async client(user, vsn = '2.0.0') {
      const token = user === 'service_role' ? stack.config.serviceRoleKey : await userToken(stack, user);
      const client = createClient(stack.url, stack.config.anonKey, {
        accessToken: async () => token,
        // realtime-js picks its codec from `vsn`; `params.vsn` would only change the URL.
        realtime: { vsn },
        auth: { persistSession: false, autoRefreshToken: false },
      });
      made.push(client);
      return client;
    },
    async closeAll() {
      const all = made.splice(0);
      await Promise.all(all.map((c) => c.removeAllChannels()));
      for (const c of all) c.realtime.disconnect();
    },
  };
}

export type SubscribeOutcome =
  | { status: 'SUBSCRIBED' }
  | { status: 'CHANNEL_ERROR' | 'TIMED_OUT' | 'CLOSED'; error?: Error };

/** Subscribes and resolves with the first terminal status (realtime-js calls back once per change). */
export function subscribed(channel: RealtimeChannel): Promise<SubscribeOutcome> {
  return new Promise((resolve) => {
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve({ status });
      else resolve(error ? { status, error } : { status });
    });
  });
}
