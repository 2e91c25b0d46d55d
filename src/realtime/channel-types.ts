import type { SupabaseClient } from '@supabase/supabase-js';
import type { Environment } from './environment.ts';
import type { RealtimeError } from './realtime-error.ts';
import type { Database } from '../contract/index.ts';

/*
 * The channel registry's public shapes: what a topic's channel listens to, the handle a store
 * holds, and the registry itself (channel-registry.ts).
 */

/** What one channel of a topic listens to; decided per topic by the core (realtime-client.ts `specFor`). */
export interface ChannelSpec {
  readonly topic: string;
  /** The presence key (the user's id) on topics whose presence is read or tracked. */
  readonly presenceKey?: string;
  readonly postgresChanges?: readonly { readonly table: string; readonly filter?: string }[];
}

export interface PostgresChange {
  readonly eventType: 'INSERT' | 'UPDATE' | 'DELETE';
  readonly table: string;
  readonly new: Readonly<Record<string, unknown>>;
  readonly old: Readonly<Record<string, unknown>>;
}

export type PresenceState = Readonly<Record<string, readonly Readonly<Record<string, unknown>>[]>>;

export interface ChannelListener {
  onBroadcast?(event: string, payload: unknown): void;
  onPresenceSync?(state: PresenceState): void;
  onPostgresChange?(change: PostgresChange): void;
  /**
   * After the server's "Subscribed to PostgreSQL" on a channel with Postgres changes bindings
   * (after every (re)join): changes flow from here on, so this is the moment to re-read.
   */
  onPostgresChangesReady?(): void;
  /** After every (re)join: the moment to backfill what the channel may have missed. */
  onSubscribed?(): void;
}

export interface ChannelHandle {
  /**
   * Tracks presence now and again after every re-join (presence does not survive a new channel).
   * Call at any rate: the channel's tracks are rationed (see PRESENCE_TRACKS_PER_WINDOW), the
   * latest payload wins, and an unchanged one is not sent.
   */
  track(payload: Record<string, unknown>): void;
  /** The presence payload the server last got on this channel (undefined before the first one). */
  tracked(): Readonly<Record<string, unknown>> | undefined;
  release(): void;
}

export interface ChannelRegistryOptions {
  readonly supabase: SupabaseClient<Database>;
  readonly env: Environment;
  /** Resolves once the first access token is set, so no join goes out without it. */
  readonly ready: Promise<void>;
  readonly onError: (error: RealtimeError) => void;
  /** What a topic's channel listens to; asked when the channel is (re)created, after `ready`. */
  readonly specFor: (topic: string) => ChannelSpec;
  /** How long a channel outlives its last release. */
  readonly graceMs?: number;
}

/** How one topic's channel stands, for diagnostics and the UI. */
export type ChannelState = 'joining' | 'joined' | 'retrying' | 'refused';

export interface ChannelStateEntry {
  readonly topic: string;
  readonly state: ChannelState;
  /** Why the channel is not joined, in the server's words: set from its last failure until it joins again. */
  readonly reason?: string;
}

export interface ChannelRegistry {
  acquire(topic: string, listener: ChannelListener): ChannelHandle;
  /** Topics with a live channel entry (joined, joining, or waiting to retry); revoked ones are not. */
  topics(): readonly string[];
  /** Every live entry's topic and state (`refused`: the server said no permission; retried slowly). */
  states(): readonly ChannelStateEntry[];
  /**
   * Leaves every channel whose topic matches, at once and whoever holds it, and joins none of
   * them again until `readmit`: what a removal from an organisation does. Handles stay valid
   * (their sends and tracks do nothing).
   */
  revoke(matches: (topic: string) => boolean): void;
  /** Lets revoked topics be joined again, and retries refused ones now: the user's rights changed. */
  readmit(): void;
  dispose(): Promise<void>;
}
