'use client';
import { useMemo, useSyncExternalStore } from 'react';
import {
  inTerritoryView,
  type OlderUpdatesState,
  type PostUpdateInput,
  type TeamUpdate,
  type WriteResult,
} from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';

const NO_UPDATES: readonly TeamUpdate[] = Object.freeze([]);
const NOTHING_OLDER: OlderUpdatesState = Object.freeze({ hasOlder: false, loading: false, error: null });

export interface UseTeamUpdatesOptions {
  /** This territory's updates and the organisation-wide ones (a filter on what the user may read anyway). */
  readonly territory?: string;
}

export interface UseTeamUpdatesResult {
  /** Newest first; `mentionsMe` flags @mentions of the current user. */
  readonly updates: readonly TeamUpdate[];
  readonly postUpdate: (input: PostUpdateInput) => Promise<WriteResult>;
  /** Older items exist than `updates` holds ("Load older" pages them in, 50 at a time). */
  readonly hasOlder: boolean;
  readonly loadingOlder: boolean;
  readonly loadOlder: () => Promise<WriteResult>;
}

/** The activity stream: team actions and posted updates, live, with keyset paging into the past. */
export function useTeamUpdates({ territory }: UseTeamUpdatesOptions = {}): UseTeamUpdatesResult {
  const { teamUpdates } = useRealtimeClient();
  const all = useSyncExternalStore(teamUpdates.subscribe, teamUpdates.getSnapshot, () => NO_UPDATES);
  const older = useSyncExternalStore(teamUpdates.older.subscribe, teamUpdates.older.getSnapshot, () => NOTHING_OLDER);
  const updates = useMemo(
    () => (territory === undefined ? all : Object.freeze(all.filter((update) => inTerritoryView(update, territory)))),
    [all, territory],
  );
  return {
    updates,
    postUpdate: teamUpdates.postUpdate,
    hasOlder: older.hasOlder,
    loadingOlder: older.loading,
    loadOlder: teamUpdates.loadOlder,
  };
}
