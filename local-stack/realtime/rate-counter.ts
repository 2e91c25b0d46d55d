/**
 * Realtime's rolling-average rate counter (protocol reference §8.2): counts land in 5 s buckets,
 * the average runs over the last 12 completed buckets (60 s), and the counter is "triggered" while
 * that average is at or above the limit. Bursts inside one bucket are tolerated, as on the server.
 * Lazy (no timers) so an idle stack costs nothing; it reads the tenant's clock.
 */

/** Realtime's `RateCounter` tick: one bucket per 5 s. */
export const BUCKET_MS = 5000;
/** 12 buckets × 5 s = the 60 s window Realtime averages over. */
const BUCKET_COUNT = 12;

export interface RateCounterOptions {
  /** Events per second at which the counter triggers. */
  limit: number;
  now: () => number;
  bucketMs?: number;
}

export class RateCounter {
  readonly limit: number;
  /** Everything ever counted, for benchmarks and tests (Realtime keeps no such total). */
  total = 0;
  private readonly now: () => number;
  private readonly bucketMs: number;
  private readonly startBucket: number;
  /** Completed (and older) buckets; the bucket being filled is kept in the two fields below. */
  private readonly buckets = new Map<number, number>();
  private openBucket = Number.NaN;
  private openCount = 0;
  private averageBucket = Number.NaN;
  private averageValue = 0;

  constructor(options: RateCounterOptions) {
    this.limit = options.limit;
    this.now = options.now;
    this.bucketMs = options.bucketMs ?? BUCKET_MS;
    this.startBucket = this.bucketOf(this.now());
  }

  add(count = 1): void {
    const bucket = this.bucketOf(this.now());
    // RATIONALE: fan-out calls this once per delivery; counting into a field while the bucket
    // lasts keeps that to an addition, and the map is touched once per bucket.
    if (bucket !== this.openBucket) this.close(bucket);
    this.openCount += count;
    this.total += count;
  }

  /** Average events per second over the completed buckets of the window (0 before the first tick). */
  average(): number {
    const current = this.bucketOf(this.now());
    // RATIONALE: only completed buckets count, so the average cannot change until the next bucket
    // starts; it is computed once per bucket instead of once per delivery.
    if (current === this.averageBucket) return this.averageValue;
    if (current !== this.openBucket) this.close(current);
    const completed = Math.min(BUCKET_COUNT, current - this.startBucket);
    let sum = 0;
    for (let b = current - completed; b < current; b++) sum += this.buckets.get(b) ?? 0;
    this.averageBucket = current;
    this.averageValue = completed <= 0 ? 0 : sum / ((completed * this.bucketMs) / 1000);
    return this.averageValue;
  }

  /** Files the open bucket's count and opens `bucket`, dropping buckets older than the window. */
  private close(bucket: number): void {
    if (this.openCount > 0)
      this.buckets.set(this.openBucket, (this.buckets.get(this.openBucket) ?? 0) + this.openCount);
    this.openBucket = bucket;
    this.openCount = 0;
    for (const key of this.buckets.keys()) if (key < bucket - BUCKET_COUNT) this.buckets.delete(key);
  }

  triggered(): boolean {
    return this.average() >= this.limit;
  }

  private bucketOf(time: number): number {
    return Math.floor(time / this.bucketMs);
  }
}

/** A fixed-window call limit: Realtime's client presence limit, N calls per window per channel (§4.4). */
export class WindowLimit {
  private windowStart = 0;
  private calls = 0;

  constructor(
    private readonly maxCalls: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Counts one call; false once the window's allowance is used up. */
  take(): boolean {
    const time = this.now();
    if (time - this.windowStart >= this.windowMs) {
      this.windowStart = time;
      this.calls = 0;
    }
    this.calls += 1;
    return this.calls <= this.maxCalls;
  }
}
