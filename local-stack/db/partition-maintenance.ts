import type { Queryable } from './database.ts';
import { maintainMessagePartitions } from './message-partitions.ts';

/** Once an hour: a day boundary is noticed within the hour, long before today+3 runs out. */
const PARTITION_MAINTENANCE_INTERVAL_MS = 3_600_000;

export interface PartitionMaintenanceOptions {
  /** The clock that decides which day it is; tests move a manual one across midnight. */
  now?: () => number;
  intervalMs?: number;
  log?: (message: string) => void;
}

export interface PartitionMaintenance {
  /** Stops the timer and waits for a run in progress, so the database can be closed after. */
  stop(): Promise<void>;
}

/**
 * Keeps `realtime.messages` partitioned around "today" while the stack runs.
 *
 * RATIONALE: partitions cover yesterday..today+3 and `realtime.send` turns a failed insert into a
 * warning, so a stack that only maintained them at startup silently stopped delivering database
 * broadcasts after about four days of uptime. The timer is unref'd so it never keeps Node alive.
 */
export function startPartitionMaintenance(
  db: Queryable,
  options: PartitionMaintenanceOptions = {},
): PartitionMaintenance {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  let running: Promise<void> | undefined;
  const run = () => {
    // A slow run (a busy database) is never overlapped by the next tick.
    running ??= maintainMessagePartitions(db, new Date(now()))
      .then(({ created, dropped }) => {
        if (created.length || dropped.length) {
          log(
            `realtime.messages partitions: created ${created.join(', ') || 'none'}; dropped ${dropped.join(', ') || 'none'}`,
          );
        }
      })
      .catch((error: unknown) =>
        log(
          `realtime.messages partition maintenance failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(run, options.intervalMs ?? PARTITION_MAINTENANCE_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
