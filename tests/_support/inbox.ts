/**
 * The one awaitable list of the suites: callbacks push what arrives, tests await what they expect
 * instead of sleeping, and a "nothing arrived" check waits for a later sentinel instead.
 */

/** How long a wait may take before the test fails with a readable message (well under vitest's 30 s). */
const WAIT_MS = 10_000;

interface Waiter<T> {
  match: (item: T) => boolean;
  consume: boolean;
  resolve: (item: T) => void;
}

export class Inbox<T> {
  /** Everything received, in order. */
  readonly items: T[] = [];
  /** Items already handed out by {@link next}. */
  private readonly taken = new Set<number>();
  private waiters: Waiter<T>[] = [];

  push = (item: T): void => {
    const index = this.items.push(item) - 1;
    for (const waiter of [...this.waiters]) {
      if (!waiter.match(item)) continue;
      // One item answers one `next()`: another waiter for the same match keeps waiting for a later item.
      if (waiter.consume && this.taken.has(index)) continue;
      if (waiter.consume) this.taken.add(index);
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(item);
    }
  };

  /**
   * The next matching item: the earliest not yet returned by `next()`, received or yet to come.
   * Two calls never return the same item, so `await next(); await next()` really waits for two.
   */
  next(match: (item: T) => boolean = () => true, what = 'an event'): Promise<T> {
    const index = this.items.findIndex((item, i) => !this.taken.has(i) && match(item));
    if (index >= 0) {
      this.taken.add(index);
      return Promise.resolve(this.items[index]!);
    }
    return this.wait({ match, consume: true }, what);
  }

  /** The first matching item ever received (or yet to come), whether or not `next()` returned it. */
  first(match: (item: T) => boolean = () => true, what = 'a matching item'): Promise<T> {
    const found = this.items.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return this.wait({ match, consume: false }, what);
  }

  /** Resolves with every item once at least `count` have arrived. */
  async count(count: number, what = `${count} items`): Promise<T[]> {
    while (this.items.length < count) await this.wait({ match: () => true, consume: false }, what);
    return this.items.slice();
  }

  private wait(waiter: Omit<Waiter<T>, 'resolve'>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Waiter<T> = {
        ...waiter,
        resolve: (item) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== entry);
        reject(
          new Error(
            `timed out after ${WAIT_MS} ms waiting for ${what}; received: ${JSON.stringify(this.items).slice(0, 2000)}`,
          ),
        );
      }, WAIT_MS);
      this.waiters.push(entry);
    });
  }
}
