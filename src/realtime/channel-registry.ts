import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { Environment, TimerHandle } from './environment.ts';
import { createLatestValueLimiter, type LatestValueLimiter } from './rate-limiter.ts';
import { RealtimeError, type ChannelFailure } from './realtime-error.ts';
import { DEFAULT_CHANNEL_GRACE_MS, PRESENCE_TRACK_WINDOW_MS, PRESENCE_TRACKS_PER_WINDOW } from './timing.ts';

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
  /** Sends an ephemeral broadcast; false when the channel is not joined (ephemeral data is dropped, not queued). */
  send(event: string, payload: unknown): boolean;
  release(): void;
}

export interface ChannelRegistryOptions {
  readonly supabase: SupabaseClient;
  readonly env: Environment;
  /** Resolves once the first access token is set, so no join goes out without it. */
  readonly ready: Promise<void>;
  readonly onError: (error: RealtimeError) => void;
  /** What a topic's channel listens to; asked when the channel is (re)created, after `ready`. */
  readonly specFor: (topic: string) => ChannelSpec;
  /** How long a channel outlives its last release. */
  readonly graceMs?: number;
}

interface Entry {
  readonly topic: string;
  readonly listeners: Set<ChannelListener>;
  channel: RealtimeChannel | undefined;
  joined: boolean;
  /** The server confirmed the channel's Postgres changes subscription. */
  postgresReady: boolean;
  attempt: number;
  /** The latest payload tracked on this topic, sent again after every re-join. */
  presence: Record<string, unknown> | undefined;
  /** What the current channel last sent to the server. */
  sentPresence: Record<string, unknown> | undefined;
  readonly tracker: LatestValueLimiter<Record<string, unknown>>;
  lastSystemError: string | undefined;
  grace: TimerHandle | undefined;
  retry: TimerHandle | undefined;
}

export interface ChannelRegistry {
  acquire(topic: string, listener: ChannelListener): ChannelHandle;
  /** Topics with a live channel entry (joined or joining). */
  topics(): readonly string[];
  dispose(): Promise<void>;
}

/**
 * RATIONALE: StrictMode mounts, unmounts and re-mounts every effect, and a page switch unmounts
 * one screen right before the next mounts the same hooks. Releasing a channel only after a grace
 * period (DEFAULT_CHANNEL_GRACE_MS) turns those into no-ops instead of a leave and a join, and a
 * reference count keeps one channel per topic however many hooks use it.
 */
export function createChannelRegistry(options: ChannelRegistryOptions): ChannelRegistry {
  const { supabase, env } = options;
  const graceMs = options.graceMs ?? DEFAULT_CHANNEL_GRACE_MS;
  const entries = new Map<string, Entry>();
  // A channel being removed still sits in supabase-js' list until its leave is answered, and
  // `supabase.channel(topic)` would hand it back: a new channel of that topic waits for it.
  const removals = new Map<string, Promise<unknown>>();
  let disposed = false;

  const remove = (topic: string, channel: RealtimeChannel): void => {
    const removal = supabase.removeChannel(channel).catch(() => undefined);
    removals.set(topic, removal);
    void removal.then(() => {
      if (removals.get(topic) === removal) removals.delete(topic);
    });
  };

  const open = async (entry: Entry): Promise<void> => {
    await options.ready;
    await removals.get(entry.topic);
    if (disposed || entries.get(entry.topic) !== entry || entry.channel) return;
    const spec = options.specFor(entry.topic);
    const channel = supabase.channel(spec.topic, {
      config: { private: true, ...(spec.presenceKey ? { presence: { key: spec.presenceKey, enabled: true } } : {}) },
    });
    entry.channel = channel;
    channel.on('broadcast', { event: '*' }, (message: { event: string; payload: unknown }) => {
      for (const listener of [...entry.listeners]) listener.onBroadcast?.(message.event, message.payload);
    });
    channel.on('system', {}, (message: { extension?: string; status?: string; message?: string }) => {
      if (message.extension === 'postgres_changes')
        return onPostgresStatus(entry, channel, message.status, message.message);
      if (message.status === 'error' && message.message) entry.lastSystemError = message.message;
    });
    if (spec.presenceKey) {
      channel.on('presence', { event: 'sync' }, () => {
        const state = channel.presenceState() as PresenceState;
        for (const listener of [...entry.listeners]) listener.onPresenceSync?.(state);
      });
    }
    for (const pg of spec.postgresChanges ?? []) {
      channel.on(
        'postgres_changes',
        { event: '*', schema: 'public', table: pg.table, ...(pg.filter ? { filter: pg.filter } : {}) },
        (change: PostgresChange) => {
          for (const listener of [...entry.listeners]) listener.onPostgresChange?.(change);
        },
      );
    }
    channel.subscribe((status, error) => {
      if (entry.channel !== channel) return; // a channel we already gave up on
      if (status === 'SUBSCRIBED') {
        entry.joined = true;
        entry.postgresReady = false; // until this join's "Subscribed to PostgreSQL"
        entry.attempt = 0;
        if (entry.presence) sendPresence(entry, channel, entry.presence);
        for (const listener of [...entry.listeners]) listener.onSubscribed?.();
        return;
      }
      fail(entry, channel, status, error?.message);
    });
  };

  // RATIONALE: supabase-js reports SUBSCRIBED when the join is answered, but Postgres changes flow
  // only after the server's "Subscribed to PostgreSQL" system message (§2.5); a refusal there
  // leaves the channel joined without changes, so it is reported, not retried.
  const onPostgresStatus = (
    entry: Entry,
    channel: RealtimeChannel,
    status: string | undefined,
    message: string | undefined,
  ): void => {
    if (entry.channel !== channel) return;
    if (status === 'ok') {
      entry.postgresReady = true;
      for (const listener of [...entry.listeners]) listener.onPostgresChangesReady?.();
      return;
    }
    options.onError(
      new RealtimeError(
        { kind: 'channel', topic: entry.topic, status: 'CHANNEL_ERROR', reason: message ?? 'postgres_changes error' },
        `${entry.topic}: postgres_changes: ${message ?? 'error'}`,
      ),
    );
  };

  const fail = (entry: Entry, channel: RealtimeChannel, status: ChannelFailure, message: string | undefined): void => {
    const reason = message ?? entry.lastSystemError ?? status;
    const context = { kind: 'channel', topic: entry.topic, status, reason } as const;
    options.onError(new RealtimeError(context, `${entry.topic}: ${status}: ${reason}`));
    forgetChannel(entry);
    entry.lastSystemError = undefined;
    remove(entry.topic, channel);
    // RATIONALE: realtime-js never rejoins a channel that reached CLOSED (an expired token, a
    // server shutdown), and its own rejoin of an errored channel keeps the old bindings and
    // token. A fresh channel after a backoff is the one recovery that works for all three. The
    // backoff (250 ms doubling up to 5 s) keeps a refused join from ever looping hot.
    const delay = Math.min(5000, 250 * 2 ** entry.attempt++);
    entry.retry = env.timers.setTimeout(() => {
      entry.retry = undefined;
      if (entry.listeners.size > 0 || entry.grace !== undefined) void open(entry);
    }, delay);
  };

  /** The entry's channel is gone (failed or torn down): a new one starts unjoined, with no presence. */
  const forgetChannel = (entry: Entry): void => {
    entry.channel = undefined;
    entry.joined = false;
    entry.postgresReady = false;
    entry.sentPresence = undefined;
  };

  const sendPresence = (entry: Entry, channel: RealtimeChannel, payload: Record<string, unknown>): void => {
    entry.sentPresence = payload;
    void channel.track(payload);
  };

  const teardown = (entry: Entry): void => {
    entries.delete(entry.topic);
    entry.tracker.cancel();
    if (entry.retry !== undefined) env.timers.clearTimeout(entry.retry);
    const channel = entry.channel;
    forgetChannel(entry); // before the leave, whose CLOSED is ours and not a failure
    if (channel) remove(entry.topic, channel);
  };

  return {
    acquire(topic, listener) {
      let entry = entries.get(topic);
      if (!entry) {
        entry = {
          topic,
          listeners: new Set(),
          channel: undefined,
          joined: false,
          postgresReady: false,
          attempt: 0,
          presence: undefined,
          sentPresence: undefined,
          tracker: createLatestValueLimiter<Record<string, unknown>>(
            env,
            PRESENCE_TRACKS_PER_WINDOW,
            PRESENCE_TRACK_WINDOW_MS,
            (payload) => {
              const target = entries.get(topic);
              if (target?.joined && target.channel) sendPresence(target, target.channel, payload);
            },
          ),
          lastSystemError: undefined,
          grace: undefined,
          retry: undefined,
        };
        entries.set(topic, entry);
        void open(entry);
      }
      const current = entry;
      if (current.grace !== undefined) {
        env.timers.clearTimeout(current.grace);
        current.grace = undefined;
      }
      current.listeners.add(listener);
      // A listener added to an already joined channel still gets its first backfill and the
      // presence state as it is now (the next sync may be far away).
      if (current.joined && current.channel) {
        listener.onSubscribed?.();
        if (options.specFor(topic).presenceKey)
          listener.onPresenceSync?.(current.channel.presenceState() as PresenceState);
        if (current.postgresReady) listener.onPostgresChangesReady?.();
      }
      let released = false;
      return {
        track(payload) {
          if (current.presence !== undefined && JSON.stringify(current.presence) === JSON.stringify(payload)) return;
          current.presence = payload;
          if (current.joined && current.channel) current.tracker.offer(payload);
        },
        tracked: () => current.sentPresence,
        send(event, payload) {
          if (!current.joined || !current.channel) return false;
          void current.channel.send({ type: 'broadcast', event, payload });
          return true;
        },
        release() {
          if (released) return;
          released = true;
          current.listeners.delete(listener);
          if (current.listeners.size > 0) return;
          current.grace = env.timers.setTimeout(() => {
            current.grace = undefined;
            if (current.listeners.size === 0) teardown(current);
          }, graceMs);
        },
      };
    },
    topics: () => [...entries.keys()],
    async dispose() {
      disposed = true;
      for (const entry of [...entries.values()]) {
        if (entry.grace !== undefined) env.timers.clearTimeout(entry.grace);
        teardown(entry);
      }
      await Promise.all(removals.values());
    },
  };
}
