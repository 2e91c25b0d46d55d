/**
 * The time the stack reads: one clock per stack, on Realtime's tenant, behind every rate counter,
 * token-expiry check and timer there. Tests pass a clock they move (tests/_support/clock.ts) so
 * nothing waits on the wall clock.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Runs `fn` once `ms` have passed on this clock; returns the cancel function. Timers never keep
   * the process alive (a stack left idle still exits when asked to).
   */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
