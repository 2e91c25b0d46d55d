import type { RealtimeChannel } from '@supabase/supabase-js';
import type { ChannelRegistry, ChannelRegistryOptions, PostgresChange, PresenceState } from './channel-types.ts';
import { forgetChannel, newEntry, stateEntryOf, type Entry } from './channel-entry.ts';
import { isRateLimitReason } from './delivery-monitor.ts';
import { createLatestValueLimiter } from './rate-limiter.ts';
import { RealtimeError, type ChannelFailure } from './realtime-error.ts';

export type {
  ChannelListener,
  ChannelRegistry,
  ChannelSpec,
  ChannelStateEntry,
  PostgresChange,
} from './channel-types.ts';
import { DEFAULT_CHANNEL_GRACE_MS, PRESENCE_TRACK_WINDOW_MS, PRESENCE_TRACKS_PER_WINDOW } from './timing.ts';

/** The server's words for "you may not join this" (Realtime's read-policy refusal and its shutdown notice). */
const REFUSAL = /unauthori[sz]ed|do not have permission/i;
/** First retry after a refusal: rights rarely come back by themselves, and a refused join costs a policy check. */
const REFUSED_RETRY_MS = 5_000;
/** At most this between retries of a refused topic (until `readmit`): a few requests an hour. */
const REFUSED_RETRY_MAX_MS = 5 * 60_000;
/**
 * A channel closed or refused for a quota ("Too many messages per second", "…RateLimitReached")
 * is re-joined after 2 s, doubling up to 30 s: Realtime averages its counters over 60 s, so a quick
 * re-join only spends a join (and a presence state) to be closed again; meanwhile the catch-up
 * keeps persisted streams current and the status says "updates delayed" (delivery-monitor.ts).
 */
const LIMITED_RETRY_MS = 2_000;
const LIMITED_RETRY_MAX_MS = 30_000;

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
  // Topics `revoke` closed: a topic that matches is not joined, even by a store asking for it later.
  let blocked: ((topic: string) => boolean) | undefined;

  const remove = (topic: string, channel: RealtimeChannel): void => {
    const removal = supabase.removeChannel(channel).catch(() => undefined);
    removals.set(topic, removal);
    void removal.then(() => {
      if (removals.get(topic) === removal) removals.delete(topic);
    });
  };

  /**
   * Opens the entry's channel; whatever goes wrong on the way is reported as a channel failure
   * and retried like one, never left as an unhandled rejection (the callers do not await it).
   */
  const openChannel = (entry: Entry): void => {
    open(entry).catch((cause: unknown) => {
      if (disposed || entries.get(entry.topic) !== entry) return;
      const channel = entry.channel;
      if (channel) forgetChannel(entry);
      if (channel) remove(entry.topic, channel);
      const reason = cause instanceof Error ? cause.message : String(cause);
      entry.failure = reason;
      options.onError(
        new RealtimeError(
          { kind: 'channel', topic: entry.topic, status: 'CHANNEL_ERROR', reason },
          `${entry.topic}: could not open the channel: ${reason}`,
          { cause },
        ),
      );
      scheduleRetry(entry, Math.min(5000, 250 * 2 ** entry.attempt++));
    });
  };

  const open = async (entry: Entry): Promise<void> => {
    await options.ready;
    await removals.get(entry.topic);
    if (disposed || entries.get(entry.topic) !== entry || entry.channel || entry.revoked) return;
    const spec = options.specFor(entry.topic);
    // supabase-js hands back the client's existing channel of a topic, whose bindings cannot be
    // added to once it is subscribed: a channel this registry did not create is left alone.
    if (supabase.getChannels().some((existing) => existing.topic === `realtime:${spec.topic}`))
      throw new Error(
        `the supabase-js client already has a channel of ${spec.topic} that the realtime core did not open`,
      );
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
        entry.refusals = 0;
        entry.failure = undefined;
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
    entry.failure = reason;
    forgetChannel(entry);
    entry.lastSystemError = undefined;
    remove(entry.topic, channel);
    // RATIONALE: realtime-js never rejoins a channel that reached CLOSED (an expired token, a
    // server shutdown), and its own rejoin of an errored channel keeps the old bindings and
    // token. A fresh channel after a backoff is the one recovery that works for all three. The
    // backoff (250 ms doubling up to 5 s) keeps a failing join from ever looping hot. A refusal
    // (no permission: a membership that ended or shrank) will not pass by itself, so it backs off
    // much further (REFUSED_RETRY_MS doubling up to REFUSED_RETRY_MAX_MS) until `readmit` says
    // the user's rights changed.
    const refused = REFUSAL.test(reason);
    const delay = refused
      ? Math.min(REFUSED_RETRY_MAX_MS, REFUSED_RETRY_MS * 2 ** entry.refusals++)
      : isRateLimitReason(reason)
        ? Math.min(LIMITED_RETRY_MAX_MS, LIMITED_RETRY_MS * 2 ** entry.attempt++)
        : Math.min(5000, 250 * 2 ** entry.attempt++);
    scheduleRetry(entry, delay);
  };

  const scheduleRetry = (entry: Entry, delay: number): void => {
    if (entry.retry !== undefined) env.timers.clearTimeout(entry.retry);
    entry.retry = env.timers.setTimeout(() => {
      entry.retry = undefined;
      if (entry.listeners.size > 0 || entry.grace !== undefined) openChannel(entry);
    }, delay);
  };

  const sendPresence = (entry: Entry, channel: RealtimeChannel, payload: Record<string, unknown>): void => {
    entry.sentPresence = payload;
    void channel.track(payload);
  };

  /** Leaves the entry's channel (if any); its CLOSED is ours and not a failure. */
  const leave = (entry: Entry): void => {
    entry.tracker.cancel();
    if (entry.retry !== undefined) env.timers.clearTimeout(entry.retry);
    entry.retry = undefined;
    const channel = entry.channel;
    forgetChannel(entry); // before the leave, whose CLOSED is ours and not a failure
    if (channel) remove(entry.topic, channel);
  };

  const teardown = (entry: Entry): void => {
    if (entries.get(entry.topic) === entry) entries.delete(entry.topic);
    leave(entry);
  };

  return {
    acquire(topic, listener) {
      let entry = entries.get(topic);
      if (!entry) {
        entry = newEntry(
          topic,
          createLatestValueLimiter<Record<string, unknown>>(
            env,
            PRESENCE_TRACKS_PER_WINDOW,
            PRESENCE_TRACK_WINDOW_MS,
            (payload) => {
              const target = entries.get(topic);
              if (target?.joined && target.channel) sendPresence(target, target.channel, payload);
            },
          ),
        );
        entry.revoked = blocked?.(topic) ?? false;
        entries.set(topic, entry);
        openChannel(entry);
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
    topics: () => [...entries.values()].filter((entry) => !entry.revoked).map((entry) => entry.topic),
    states: () => [...entries.values()].filter((entry) => !entry.revoked).map(stateEntryOf),
    revoke(matches) {
      const before = blocked;
      blocked = (topic) => matches(topic) || (before?.(topic) ?? false);
      for (const entry of entries.values()) {
        if (entry.revoked || !matches(entry.topic)) continue;
        entry.revoked = true;
        entry.presence = undefined;
        leave(entry);
      }
    },
    readmit() {
      blocked = undefined;
      for (const entry of entries.values()) {
        const wasRevoked = entry.revoked;
        entry.revoked = false;
        if (wasRevoked || entry.refusals > 0) {
          entry.refusals = 0;
          if (!entry.channel && (entry.listeners.size > 0 || entry.grace !== undefined)) scheduleRetry(entry, 0);
        }
      }
    },
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
