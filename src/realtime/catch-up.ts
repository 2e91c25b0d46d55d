import type { CoreContext } from './core-context.ts';
import type { Environment, TimerHandle } from './environment.ts';

/*
 * RATIONALE (gap recovery): Realtime drops database broadcasts silently while the tenant's
 * events/s counter is tripped (§8.3: no error, no disconnect), and nothing is replayed after a
 * reconnect, so neither the socket nor the channel tells us that something was missed. Every
 * persisted stream (agent runs, team updates, notifications, the publisher list: see
 * persisted-stream.ts) therefore reads its table "since the newest row its last completed read
 * returned" — an indexed range query that returns nothing new in the common case:
 *   - after every (re)join of one of its channels (the reconnect backfill);
 *   - when something hints at a gap: a `seq` that jumps by more than one in an agent run, a
 *     publisher `version` that skips, the page becoming visible or the browser coming back online;
 *   - and every `catchUpIntervalMs` (default 2.5 s) while the stream has a subscriber, because a
 *     dropped *last* message leaves no later message to hint at it. That interval is the bound on
 *     "within a few seconds"; it costs one small request per stream per interval per tab.
 * The read starts a little before the cursor (CATCH_UP_OVERLAP_MS) because a row committed late can carry
 * an earlier timestamp than one already seen; duplicates from the overlap are dropped by id.
 * Live messages never move the cursor (persisted-stream.ts, "RATIONALE (cursor)"), so no read
 * window is skipped however long the interval is: the interval bounds how late a silently
 * dropped message shows, never whether it does.
 */

/** Re-read this far before the cursor: longer than any transaction that writes these tables. */
export const CATCH_UP_OVERLAP_MS = 5000;

export interface CatchUp {
  /** Run a catch-up soon (coalesced: one in flight, at most one queued). */
  request(): void;
  /**
   * Run a catch-up that starts after this call, and resolve when it has finished: every read
   * in flight now has landed by then, and the one that settles saw the table as it is now.
   */
  settle(): Promise<void>;
  /** Start the periodic catch-up; returns stop. */
  startPeriodic(): () => void;
}

export function createCatchUp(run: () => Promise<void>, env: Environment, intervalMs: number): CatchUp {
  let running = false;
  let again = false;
  // Resolved when the next run to start has finished (a run already in flight is not enough).
  let waiting: (() => void)[] = [];

  const request = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    const settled = waiting;
    waiting = [];
    void run()
      .catch(() => undefined) // run() reports its own errors
      .finally(() => {
        running = false;
        for (const resolve of settled) resolve();
        if (again) {
          again = false;
          request();
        }
      });
  };

  return {
    request,
    settle() {
      const done = new Promise<void>((resolve) => waiting.push(resolve));
      request();
      return done;
    },
    startPeriodic() {
      let timer: TimerHandle | undefined;
      let stopped = false;
      const tick = (): void => {
        request();
        if (!stopped) timer = env.timers.setTimeout(tick, intervalMs);
      };
      timer = env.timers.setTimeout(tick, intervalMs);
      return () => {
        stopped = true;
        if (timer !== undefined) env.timers.clearTimeout(timer);
      };
    },
  };
}

/**
 * Keeps a store's catch-up running while the store has subscribers: periodically, and on resume
 * and gap hints (registered with the client). Call from `onActive`; the returned stop belongs in
 * its teardown.
 */
export function catchUpWhileActive(ctx: Pick<CoreContext, 'registerCatchUp'>, catchUp: CatchUp): () => void {
  const unregister = ctx.registerCatchUp(catchUp);
  const stopPeriodic = catchUp.startPeriodic();
  return () => {
    stopPeriodic();
    unregister();
  };
}

/** The ISO time `CATCH_UP_OVERLAP_MS` before `cursor`, the lower bound of a catch-up read. */
export function sinceCursor(cursor: string): string {
  return new Date(Date.parse(cursor) - CATCH_UP_OVERLAP_MS).toISOString();
}
