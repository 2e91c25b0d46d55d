export interface PeriodicTask {
  /** Stops the timer and waits for a run in progress, so the database can be closed after. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs` while the stack runs. A slow run (a busy database) is never
 * overlapped by the next tick; a failed one goes to `onError` and the next tick tries again. The
 * timer is unref'd so it never keeps Node alive.
 */
export function startPeriodicTask(
  task: () => Promise<void>,
  intervalMs: number,
  onError: (error: unknown) => void,
): PeriodicTask {
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= task()
      .catch(onError)
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
