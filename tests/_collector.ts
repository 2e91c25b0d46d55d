/**
 * A list that callbacks append to, with promise-returning waits: tests await the item they
 * expect instead of sleeping, and a "not delivered" check waits for a later sentinel instead.
 */
export interface Collector<T> {
  readonly items: T[];
  push(item: T): void;
  /** Resolves with the first item (present or future) matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (item: T) => boolean, label?: string): Promise<T>;
  /** Resolves once `count` items have arrived. */
  waitForCount(count: number): Promise<T[]>;
}

/** How long a wait may take before the test fails with a readable message (well under vitest's 30 s). */
const DEFAULT_TIMEOUT_MS = 10_000;

export function createCollector<T>(timeoutMs = DEFAULT_TIMEOUT_MS): Collector<T> {
  const items: T[] = [];
  const waiters = new Set<() => void>();
  const wait = <R>(check: () => R | undefined, label: string): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      const attempt = () => {
        const result = check();
        if (result === undefined) return false;
        clearTimeout(timer);
        waiters.delete(onPush);
        resolve(result);
        return true;
      };
      const onPush = () => void attempt();
      const timer = setTimeout(() => {
        waiters.delete(onPush);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${label}; received ${JSON.stringify(items, null, 1)}`));
      }, timeoutMs);
      if (!attempt()) waiters.add(onPush);
    });
  return {
    items,
    push(item) {
      items.push(item);
      for (const waiter of [...waiters]) waiter();
    },
    waitFor(predicate, label = 'a matching item') {
      return wait(() => items.find(predicate), label);
    },
    waitForCount(count) {
      return wait(() => (items.length >= count ? items.slice() : undefined), `${count} items`);
    },
  };
}
