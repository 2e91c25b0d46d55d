/**
 * What the core takes from its environment, injectable so Node, the browser and tests (fake
 * timers, a manual clock) need no monkey-patching.
 */
import { FRAME_MS } from './timing.ts';

export type TimerHandle = unknown;

export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface Environment {
  readonly timers: Timers;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /**
   * Runs `callback` before the next paint; stores coalesce notifications through it so a burst of
   * messages costs one render per frame, not one per message.
   */
  readonly requestFrame: (callback: () => void) => void;
  /** `fetch` for the bridge (sendMessage). */
  readonly fetch: typeof fetch;
}

export function defaultEnvironment(overrides: Partial<Environment> = {}): Environment {
  const timers: Timers = overrides.timers ?? {
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  return {
    timers,
    now: overrides.now ?? Date.now,
    requestFrame: overrides.requestFrame ?? ((callback) => void timers.setTimeout(callback, FRAME_MS)),
    fetch: overrides.fetch ?? ((input, init) => globalThis.fetch(input, init)),
  };
}
