import type { UserSnapshotMessage } from '../contract/index.ts';

export type UserStatus = UserSnapshotMessage['data']['activity']['status'];

/** One person of the organisation who is online, all their tabs merged. */
export interface UserSnapshot {
  readonly userId: string;
  readonly status: UserStatus;
  /** '' when they are busy with something the viewer may not see (another territory's publisher). */
  readonly action: string;
  readonly territory?: string;
  readonly publisherId?: string;
  readonly timestamp: string;
  /** Open tabs/devices (presence metas the database vouches for). */
  readonly connections: number;
}
