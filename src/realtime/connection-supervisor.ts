import type { SupabaseClient } from '@supabase/supabase-js';
import type { DeliveryStatus } from './delivery-monitor.ts';
import type { Environment, TimerHandle } from './environment.ts';
import type { RealtimeError } from './realtime-error.ts';
import { createEmitter, createValueStore, type ReadableStore } from './store.ts';

/** The public connection status; the internal states (socket, auth, backoff) map onto these five. */
export type ConnectionStatus = 'initial' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/** For a UI toast: the connection has been gone for `lostConnectionTimeoutMs`, came back, or gave up. */
export type LostConnectionEvent = 'lost' | 'restored' | 'failed';

export interface ConnectionSnapshot {
  readonly status: ConnectionStatus;
  /** Round trip of the last heartbeat, ms; null before the first one. */
  readonly latencyMs: number | null;
  readonly lastError: RealtimeError | null;
  /**
   * `delayed` while the project is over a Realtime quota (messages/s, presence, joins): updates
   * still arrive, through catch-up, seconds late (delivery-monitor.ts); `live` otherwise.
   */
  readonly delivery: DeliveryStatus;
}

export interface ConnectionSupervisorOptions {
  readonly supabase: SupabaseClient;
  readonly env: Environment;
  /** Default 5 s: long enough that a blip (a proxy recycling the socket) never shows a toast. */
  readonly lostConnectionTimeoutMs?: number;
  /** Default 60 s of being lost before `failed` (the supervisor keeps trying after that). */
  readonly failedConnectionTimeoutMs?: number;
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

export function createConnectionSupervisor(options: ConnectionSupervisorOptions): ConnectionSupervisor {
  const { supabase, env } = options;
  const lostAfter = options.lostConnectionTimeoutMs ?? 5000;
  const failedAfter = options.failedConnectionTimeoutMs ?? 60_000;
  const store = createValueStore<ConnectionSnapshot>({
    status: 'initial',
    latencyMs: null,
    lastError: null,
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
  const detach: (() => void)[] = [];

  const update = (patch: Partial<ConnectionSnapshot>): void => {
    const current = store.getSnapshot();
    const next = { ...current, ...patch };
    if (
      next.status !== current.status ||
      next.latencyMs !== current.latencyMs ||
      next.lastError !== current.lastError ||
      next.delivery !== current.delivery
    ) {
      store.set(Object.freeze(next));
    }
  };

  const statusOf = (socket: SocketState): ConnectionStatus => {
    if (!running) return everConnected ? 'disconnected' : 'initial';
    if (offline || failed) return 'disconnected';
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

  const sample = (): void => {
    const socket = supabase.realtime.connectionState() as SocketState;
    if (socket === 'open') {
      if (!everConnected) void supabase.realtime.sendHeartbeat(); // a first latency without waiting 25 s
      everConnected = true;
      clearLossTimers();
      if (lost) lostEvents.emit('restored');
      lost = failed = false;
    } else if (everConnected && running && lostTimer === undefined && !lost) {
      lostTimer = env.timers.setTimeout(() => {
        lost = true;
        lostEvents.emit('lost');
        failedTimer = env.timers.setTimeout(() => {
          failed = true;
          lostEvents.emit('failed');
          update({ status: statusOf(supabase.realtime.connectionState() as SocketState) });
        }, failedAfter);
      }, lostAfter);
    }
    update({ status: statusOf(socket) });
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
      update({ status: statusOf('closed') });
    },
  };
}
