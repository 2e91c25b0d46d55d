'use client';
import { useMemo, useSyncExternalStore } from 'react';
import { inTerritoryView, type PostUpdateInput, type TeamUpdate, type WriteResult } from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';

const NO_UPDATES: readonly TeamUpdate[] = Object.freeze([]);

export interface UseTeamUpdatesOptions {
  /** This territory's updates and the organisation-wide ones (a filter on what the user may read anyway). */
  readonly territory?: string;
}

export interface UseTeamUpdatesResult {
  /** Newest first; `mentionsMe` flags @mentions of the current user. */
  readonly updates: readonly TeamUpdate[];
  readonly postUpdate: (input: PostUpdateInput) => Promise<WriteResult>;
}

export function useTeamUpdates({ territory }: UseTeamUpdatesOptions = {}): UseTeamUpdatesResult {
  const { teamUpdates } = useRealtimeClient();
  const all = useSyncExternalStore(teamUpdates.subscribe, teamUpdates.getSnapshot, () => NO_UPDATES);
  const updates = useMemo(
    () => (territory === undefined ? all : Object.freeze(all.filter((update) => inTerritoryView(update, territory)))),
    [all, territory],
  );
  return { updates, postUpdate: teamUpdates.postUpdate };
}
