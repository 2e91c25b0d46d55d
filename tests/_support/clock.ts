import type { Clock } from '../../local-stack/index.ts';

interface Timer {
  due: number;
  fn: () => void;
  /** The wall-clock timeout of a following clock, cancelled once the timer fires either way. */
  wall?: NodeJS.Timeout;
}

/**
 * A stack clock a test moves with {@link ManualClock.advance}: timers due by then fire at once,
 * in due order, so a test jumps past a token's expiry or a rate window instead of waiting.
 * Frozen by default (time passes only when the test says); `followWallClock` keeps it moving
 * with real time as well, for suites whose tokens are signed against the wall clock.
 */
export class ManualClock implements Clock {
  private offset = 0;
  private readonly start = Date.now();
  private readonly timers = new Set<Timer>();

  constructor(private readonly options: { followWallClock?: boolean } = {}) {}

  readonly now = (): number => (this.options.followWallClock ? Date.now() : this.start) + this.offset;

  readonly setTimer = (fn: () => void, ms: number): (() => void) => {
    const timer: Timer = { due: this.now() + ms, fn };
    this.timers.add(timer);
    if (this.options.followWallClock) {
      timer.wall = setTimeout(() => this.fire(timer), ms);
      timer.wall.unref();
    }
    return () => {
      clearTimeout(timer.wall);
      this.timers.delete(timer);
    };
  };

  /** Moves the clock forward and runs every timer that is due by then. */
  advance(ms: number): void {
    this.offset += ms;
    const due = [...this.timers].filter((t) => t.due <= this.now()).sort((a, b) => a.due - b.due);
    for (const timer of due) this.fire(timer);
  }

  private fire(timer: Timer): void {
    if (!this.timers.delete(timer)) return;
    clearTimeout(timer.wall);
    timer.fn();
  }
}
