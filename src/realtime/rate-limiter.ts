import type { Environment, TimerHandle } from './environment.ts';

/**
 * Calls `send` with the latest value, at most `maxCalls` times per `windowMs` (sliding window);
 * values offered in between are collapsed into one trailing call. The first calls go out at
 * once, so a person's first changes show without delay.
 */
export interface LatestValueLimiter<T> {
  offer(value: T): void;
  cancel(): void;
}

export function createLatestValueLimiter<T>(
  env: Environment,
  maxCalls: number,
  windowMs: number,
  send: (value: T) => void,
): LatestValueLimiter<T> {
  const calls: number[] = [];
  let pending: { value: T } | undefined;
  let timer: TimerHandle | undefined;

  const pump = (): void => {
    timer = undefined;
    if (!pending) return;
    const now = env.now();
    while (calls.length > 0 && calls[0]! <= now - windowMs) calls.shift();
    if (calls.length < maxCalls) {
      const { value } = pending;
      pending = undefined;
      calls.push(now);
      send(value);
      return;
    }
    timer = env.timers.setTimeout(pump, calls[0]! + windowMs - now);
  };

  return {
    offer(value) {
      pending = { value };
      if (timer === undefined) pump();
    },
    cancel() {
      pending = undefined;
      if (timer !== undefined) env.timers.clearTimeout(timer);
      timer = undefined;
    },
  };
}
