import type { Environment, TimerHandle } from './environment.ts';
import type { ReadableStore } from './store.ts';

interface CachedStore<S> {
  readonly store: S;
  subscribers: number;
  /** When the last subscriber left (or the store was made); null while subscribed. */
  idleSince: number | null;
  forget: TimerHandle | undefined;
}

/**
 * Stores made per key and shared while in use (one publisher record's store per id). A store is
 * kept while it has subscribers and `graceMs` after the last one leaves, so StrictMode and a quick
 * re-mount get the same one back; then it is forgotten, so records no one shows do not pile up.
 *
 * RATIONALE: a store is asked for during render, where nothing may start a timer, so one that is
 * asked for but never subscribed to (a render React threw away) is forgotten at the first look at
 * the cache after its grace. Such a store holds no channel, listener or timer, only its object.
 */
export function createStoreCache<S extends ReadableStore<unknown>>(
  create: (key: string) => S,
  env: Pick<Environment, 'timers' | 'now'>,
  graceMs: number,
): (key: string) => S {
  const cached = new Map<string, CachedStore<S>>();

  const forgetIdle = (): void => {
    const now = env.now();
    for (const [key, entry] of cached)
      if (entry.idleSince !== null && now - entry.idleSince >= graceMs) cached.delete(key);
  };

  const make = (key: string): CachedStore<S> => {
    const inner = create(key);
    const entry: CachedStore<S> = {
      store: { ...inner, subscribe: (listener: () => void) => subscribe(listener) },
      subscribers: 0,
      idleSince: env.now(),
      forget: undefined,
    };
    const subscribe = (listener: () => void): (() => void) => {
      const unsubscribe = inner.subscribe(listener);
      if (entry.subscribers++ === 0) {
        entry.idleSince = null;
        if (entry.forget !== undefined) env.timers.clearTimeout(entry.forget);
        entry.forget = undefined;
        // Forgotten while a render still held it, then subscribed: it is the one in use again.
        if (!cached.has(key)) cached.set(key, entry);
      }
      let subscribed = true;
      return () => {
        unsubscribe();
        if (!subscribed) return;
        subscribed = false;
        if (--entry.subscribers > 0) return;
        entry.idleSince = env.now();
        entry.forget = env.timers.setTimeout(() => {
          entry.forget = undefined;
          if (entry.subscribers === 0 && cached.get(key) === entry) cached.delete(key);
        }, graceMs);
      };
    };
    cached.set(key, entry);
    return entry;
  };

  return (key) => {
    forgetIdle();
    return (cached.get(key) ?? make(key)).store;
  };
}
