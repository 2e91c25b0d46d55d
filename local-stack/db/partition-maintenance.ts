import type { Queryable } from './database.ts';
import { maintainMessagePartitions } from './message-partitions.ts';
import { startPeriodicTask, type PeriodicTask } from './periodic-task.ts';
import { errorMessage } from '../errors.ts';

/** Once an hour: a day boundary is noticed within the hour, long before today+3 runs out. */
const PARTITION_MAINTENANCE_INTERVAL_MS = 3_600_000;

export interface PartitionMaintenanceOptions {
  /** The clock that decides which day it is; tests move a manual one across midnight. */
  now?: () => number;
  intervalMs?: number;
  log?: (message: string) => void;
}

/**
 * Keeps `realtime.messages` partitioned around "today" while the stack runs.
 *
 * RATIONALE: partitions cover yesterday..today+3 and `realtime.send` turns a failed insert into a
 * warning, so a stack that only maintained them at startup silently stopped delivering database
 * broadcasts after about four days of uptime.
 */
export function startPartitionMaintenance(db: Queryable, options: PartitionMaintenanceOptions = {}): PeriodicTask {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  return startPeriodicTask(
    async () => {
      const { created, dropped } = await maintainMessagePartitions(db, new Date(now()));
      if (created.length || dropped.length) {
        log(
          `realtime.messages partitions: created ${created.join(', ') || 'none'}; dropped ${dropped.join(', ') || 'none'}`,
        );
      }
    },
    options.intervalMs ?? PARTITION_MAINTENANCE_INTERVAL_MS,
    (error) => log(`realtime.messages partition maintenance failed: ${errorMessage(error)}`),
  );
}
