import type { SupabaseClient } from '@supabase/supabase-js';
import type { ChannelStateEntry } from './channel-types.ts';
import type { DeliveryStatus } from './delivery-monitor.ts';
import type { Environment, TimerHandle } from './environment.ts';
import { RealtimeError } from './realtime-error.ts';
import { createEmitter, createValueStore, type ReadableStore } from './store.ts';
import type { Database } from '../contract/index.ts';

/**
 * The public connection status; the internal states (socket, auth, backoff) map onto these six.
 * `idle`: started, but nothing on the page uses a channel, so no socket is wanted (supabase-js
 * opens it with the first channel and closes it after the last).
 */
export type ConnectionStatus = 'initial' | 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/** Channels that are not receiving although the client wants them: refused by the server, or failing and being re-joined. */
export interface DegradedChannels {
  readonly topics: readonly string[];
  /** The server's words for the most recent of them. */
  readonly reason: string;
}

/** For a UI toast: the connection has been gone for `lostConnectionTimeoutMs`, came back, or gave up. */
export type LostConnectionEvent = 'lost' | 'restored' | 'failed';

export interface ConnectionSnapshot {
  readonly status: ConnectionStatus;
  /** Round trip of the last heartbeat, ms; null before the first one. */
  readonly latencyMs: number | null;
  readonly lastError: RealtimeError | null;
  /** Set while some channels are refused or failing (the socket may still be connected): what a UI shows as degraded. */
  readonly degraded: DegradedChannels | null;
  /**
   * `delayed` while the project is over a Realtime quota (messages/s, presence, joins): updates
   * still arrive, through catch-up, seconds late (delivery-monitor.ts); `live` otherwise.
   */
  readonly delivery: DeliveryStatus;
}

export interface ConnectionSupervisorOptions {
  readonly supabase: SupabaseClient<Database>;
  readonly env: Environment;
  readonly lostConnectionTimeoutMs: number;
  /** Lost this long is `failed` (the supervisor keeps trying after that). */
  readonly failedConnectionTimeoutMs: number;
  /** A socket stuck this long in CONNECTING is dropped and opened again (client-timings.ts). */
  readonly connectTimeoutMs: number;
  /** The channels the client holds, with their states: none means no socket is wanted. */
  readonly channels: () => readonly ChannelStateEntry[];
  /** Called when the page becomes visible or the browser comes back online: verify and resync. */
  readonly onResume: () => void;
}

export interface ConnectionSupervisor extends ReadableStore<ConnectionSnapshot> {
  onLostConnection(listener: (event: LostConnectionEvent) => void): () => void;
  reportError(error: RealtimeError): void;
  setDelivery(delivery: DeliveryStatus): void;
  start(): void;
  stop(): void;
}

/** How often the socket state is sampled: realtime-js has no public open/close event, and 250 ms is below what a person notices. */
const SAMPLE_MS = 250;

type SocketState = 'connecting' | 'open' | 'closing' | 'closed';

/** The longest a connect attempt is given after several timeouts in a row (see checkConnecting). */
const MAX_CONNECT_WAIT_MS = 60_000;

export function createConnectionSupervisor(options: ConnectionSupervisorOptions): ConnectionSupervisor {
  const { supabase, env } = options;
  const lostAfter = options.lostConnectionTimeoutMs;
  const failedAfter = options.failedConnectionTimeoutMs;
  const store = createValueStore<ConnectionSnapshot>({
    status: 'initial',
    latencyMs: null,
    lastError: null,
    degraded: null,
    delivery: 'live',
  });
  const lostEvents = createEmitter<LostConnectionEvent>();
  let running = false;
  let everConnected = false;
  let offline = false;
  let sampler: TimerHandle | undefined;
  let lostTimer: TimerHandle | undefined;
  let failedTimer: TimerHandle | undefined;
  let lost = false;
  let failed = false;
  // When the socket was first seen CONNECTING in a row (null: it is not connecting).
  let connectingSince: number | null = null;
  // Connect timeouts in a row since the socket last opened: each one allows twice as long.
  let connectTimeouts = 0;
  const detach: (() => void)[] = [];

  const update = (patch: Partial<ConnectionSnapshot>): void => {
    const current = store.getSnapshot();
    const next = { ...current, ...patch };
    if (
      next.status !== current.status ||
      next.latencyMs !== current.latencyMs ||
      next.lastError !== current.lastError ||
      next.degraded !== current.degraded ||
      next.delivery !== current.delivery
    ) {
      store.set(Object.freeze(next));
    }
  };

  const statusOf = (socket: SocketState, wanted: boolean): ConnectionStatus => {
    if (!running) return everConnected ? 'disconnected' : 'initial';
    if (offline || failed) return 'disconnected';
    if (!wanted && socket !== 'open') return 'idle';
    switch (socket) {
      case 'open':
        return 'connected';
      case 'connecting':
      case 'closing':
      case 'closed':
        return everConnected ? 'reconnecting' : 'connecting';
    }
  };

  const clearLossTimers = (): void => {
    if (lostTimer !== undefined) env.timers.clearTimeout(lostTimer);
    if (failedTimer !== undefined) env.timers.clearTimeout(failedTimer);
    lostTimer = failedTimer = undefined;
  };

  /** The same object while the failing topics and the reason stay the same (snapshots keep their identity). */
  const degradedOf = (channels: readonly ChannelStateEntry[]): DegradedChannels | null => {
    const failing = channels.filter((channel) => channel.state !== 'joined' && channel.reason !== undefined);
    if (failing.length === 0) return null;
    const topics = failing.map((channel) => channel.topic);
    const reason = failing.at(-1)!.reason!;
    const current = store.getSnapshot().degraded;
    if (current?.reason === reason && current.topics.join('\n') === topics.join('\n')) return current;
    return Object.freeze({ topics: Object.freeze(topics), reason });
  };

  /*
   * RATIONALE (connect timeout): realtime-js waits for a CONNECTING socket as long as the
   * WebSocket implementation does, which for a handshake lost in a black hole is minutes, and it
   * schedules no retry until that socket fails. Dropping it (a clean disconnect, so realtime-js'
   * own reconnect timer stays out of it) and connecting again turns the wait into one attempt per
   * connectTimeoutMs; channels re-join as after any socket loss. Each timeout in a row allows twice
   * as long (up to a minute), so a server that is merely slow to accept sockets — every client of
   * a restarted stack reconnecting at once — is not pushed over by attempts abandoned too early.
   */
  const checkConnecting = (socket: SocketState): void => {
    if (socket !== 'connecting') {
      connectingSince = null;
      return;
    }
    const now = env.now();
    connectingSince ??= now;
    const allowed = Math.min(MAX_CONNECT_WAIT_MS, options.connectTimeoutMs * 2 ** connectTimeouts);
    if (now - connectingSince < allowed) return;
    connectingSince = null;
    connectTimeouts++;
    const reason = `the socket did not open within ${allowed} ms; connecting again`;
    update({ lastError: new RealtimeError({ kind: 'connection', reason }, `Realtime: ${reason}`) });
    void supabase.realtime.disconnect().then(() => {
      if (running && options.channels().length > 0) supabase.realtime.connect();
    });
  };

  const sample = (): void => {
    const socket = supabase.realtime.connectionState() as SocketState;
    const channels = options.channels();
    const wanted = channels.length > 0;
    checkConnecting(socket);
    if (socket === 'open') {
      connectTimeouts = 0;
      if (!everConnected) void supabase.realtime.sendHeartbeat(); // a first latency without waiting 25 s
      everConnected = true;
      clearLossTimers();
      if (lost) lostEvents.emit('restored');
      lost = failed = false;
    } else if (!wanted) {
      // Nothing wants a socket (the last channel left, so supabase-js closed it): not a loss.
      clearLossTimers();
      lost = failed = false;
    } else if (everConnected && running && lostTimer === undefined && !lost) {
      lostTimer = env.timers.setTimeout(() => {
        lost = true;
        lostEvents.emit('lost');
        failedTimer = env.timers.setTimeout(() => {
          failed = true;
          lostEvents.emit('failed');
          update({
            status: statusOf(supabase.realtime.connectionState() as SocketState, options.channels().length > 0),
          });
        }, failedAfter);
      }, lostAfter);
    }
    update({ status: statusOf(socket, wanted), degraded: degradedOf(channels) });
  };

  const tick = (): void => {
    sample();
    if (running) sampler = env.timers.setTimeout(tick, SAMPLE_MS);
  };

  const previousHeartbeat = supabase.realtime.heartbeatCallback;

  return {
    subscribe: store.subscribe,
    getSnapshot: store.getSnapshot,
    onLostConnection: lostEvents.on,
    reportError: (error) => update({ lastError: error }),
    setDelivery: (delivery) => update({ delivery }),
    start() {
      if (running) return;
      running = true;
      supabase.realtime.onHeartbeat((status, latency) => {
        previousHeartbeat?.(status, latency);
        if (status === 'ok' && typeof latency === 'number') update({ latencyMs: Math.round(latency) });
      });
      const doc = globalThis.document as Document | undefined;
      const win = globalThis.window as Window | undefined;
      if (doc && win) {
        const onVisible = () => {
          if (doc.visibilityState !== 'visible') return;
          if (!supabase.realtime.isConnected()) supabase.realtime.connect();
          options.onResume();
        };
        const onOnline = () => {
          offline = false;
          supabase.realtime.connect();
          options.onResume();
          sample();
        };
        const onOffline = () => {
          offline = true;
          sample();
        };
        doc.addEventListener('visibilitychange', onVisible);
        win.addEventListener('online', onOnline);
        win.addEventListener('offline', onOffline);
        detach.push(
          () => doc.removeEventListener('visibilitychange', onVisible),
          () => win.removeEventListener('online', onOnline),
          () => win.removeEventListener('offline', onOffline),
        );
      }
      tick();
    },
    stop() {
      running = false;
      if (sampler !== undefined) env.timers.clearTimeout(sampler);
      sampler = undefined;
      clearLossTimers();
      for (const off of detach.splice(0)) off();
      supabase.realtime.onHeartbeat(previousHeartbeat);
      connectingSince = null;
      update({ status: statusOf('closed', false), degraded: null });
    },
  };
}
