/**
 * The one external-store contract for all live state: `subscribe(listener) → unsubscribe` and a
 * synchronous `getSnapshot()` returning an immutable value that keeps its identity until it
 * changes (what React's useSyncExternalStore needs, and what any other binding can use).
 */
import { FRAME_MS } from './timing.ts';

export interface ReadableStore<T> {
  subscribe(listener: () => void): () => void;
  getSnapshot(): T;
}

export interface CoalescedStoreOptions<T> {
  /**
   * Builds the immutable snapshot from the store's working state: once at creation, then only
   * after `invalidate()`, at most once per frame (so a store keeps no "dirty" flag of its own).
   */
  readonly build: () => T;
  readonly requestFrame: (callback: () => void) => void;
  /** The clock, to tell an idle store (notify at once) from a busy one (notify per frame). */
  readonly now?: () => number;
  /** Called when the first listener subscribes; returns what to run when the last one leaves. */
  readonly onActive?: () => () => void;
}

export interface CoalescedStore<T> extends ReadableStore<T> {
  /** The working state changed: rebuild the snapshot and notify at the next frame. */
  invalidate(): void;
  /** Rebuild and notify now if the working state changed (the user's own action shows at once). */
  flush(): void;
}

/**
 * RATIONALE: messages update a store's working state immediately, but the snapshot is rebuilt and
 * listeners notified at most once per frame. A burst of 1000 agent updates per second then costs
 * at most ~60 renders per second, and `getSnapshot` never changes between two notifications
 * (React checks that during render and would re-render synchronously otherwise). A store that has
 * not notified for a frame notifies at the end of the current task instead (a microtask, which
 * still batches a synchronous burst), so a lone update costs no frame of latency.
 */
export function createCoalescedStore<T>(options: CoalescedStoreOptions<T>): CoalescedStore<T> {
  const listeners = new Set<() => void>();
  let snapshot = options.build();
  let stale = false;
  let scheduled = false;
  let stopActive: (() => void) | undefined;
  let lastFlush = -Infinity;
  const now = options.now ?? Date.now;

  const flush = (): void => {
    scheduled = false;
    lastFlush = now();
    if (!stale) return;
    stale = false;
    const next = options.build();
    if (Object.is(next, snapshot)) return;
    snapshot = next;
    for (const listener of [...listeners]) listener();
  };

  return {
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1 && options.onActive && !stopActive) stopActive = options.onActive();
      return () => {
        if (!listeners.delete(listener) || listeners.size > 0) return;
        const stop = stopActive;
        stopActive = undefined;
        stop?.();
      };
    },
    invalidate() {
      stale = true;
      if (scheduled) return;
      scheduled = true;
      if (now() - lastFlush >= FRAME_MS) queueMicrotask(flush);
      else options.requestFrame(flush);
    },
    flush,
  };
}

/** A store whose value is set directly (connection status and the like), notified synchronously. */
export interface ValueStore<T> extends ReadableStore<T> {
  set(next: T): void;
}

export function createValueStore<T>(initial: T): ValueStore<T> {
  const listeners = new Set<() => void>();
  let value = initial;
  return {
    getSnapshot: () => value,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    set(next) {
      if (Object.is(next, value)) return;
      value = next;
      for (const listener of [...listeners]) listener();
    },
  };
}

/** A plain event emitter for callbacks (errors, lost-connection events, messages). */
export interface Emitter<E> {
  on(listener: (event: E) => void): () => void;
  emit(event: E): void;
}

export function createEmitter<E>(): Emitter<E> {
  const listeners = new Set<(event: E) => void>();
  return {
    on(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit(event) {
      for (const listener of [...listeners]) listener(event);
    },
  };
}
