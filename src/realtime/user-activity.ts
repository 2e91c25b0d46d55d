import type { UserSnapshotMessage } from '../contract/index.ts';

/** What one person is doing, as far as the viewer may know it. */
export interface Activity {
  readonly action: string;
  readonly status: UserSnapshotMessage['data']['activity']['status'];
  readonly territory?: string;
  readonly publisherId?: string;
  readonly timestamp: string;
  /** The report's number (report_activity's seq); null for the person's own not yet confirmed action. */
  readonly seq: number | null;
  /** False for the organisation-wide copy of an activity the viewer may not see in full. */
  readonly complete: boolean;
}

/**
 * The merge rule of activity: a later report wins (by seq, by timestamp for the person's own
 * unconfirmed one); of two copies of one report, the complete one wins over the org-wide copy,
 * whichever arrived first. Returns `current` when `incoming` adds nothing.
 */
export function mergeActivity(current: Activity | undefined, incoming: Activity): Activity {
  if (!current) return incoming;
  if (current.seq !== null && incoming.seq !== null) {
    if (incoming.seq > current.seq) return incoming;
    if (incoming.seq === current.seq && incoming.complete && !current.complete) return incoming;
    return current;
  }
  if (incoming.seq !== null && current.seq === null) return incoming; // the database confirmed it
  return Date.parse(incoming.timestamp) >= Date.parse(current.timestamp) ? incoming : current;
}
