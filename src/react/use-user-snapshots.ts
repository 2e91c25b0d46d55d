'use client';
import { useSyncExternalStore } from 'react';
import type { ActivityInput, UserSnapshot } from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';

const NO_USERS: readonly UserSnapshot[] = Object.freeze([]);

export interface UseUserSnapshotsResult {
  /** One entry per online user of the organisation, tabs merged. */
  readonly userSnapshots: readonly UserSnapshot[];
  /** Call at any rate: peers see the latest within ~1 s. */
  readonly updateActivity: (activity: ActivityInput) => void;
}

export function useUserSnapshots(): UseUserSnapshotsResult {
  const { userSnapshots: store } = useRealtimeClient();
  const userSnapshots = useSyncExternalStore(store.subscribe, store.getSnapshot, () => NO_USERS);
  return { userSnapshots, updateActivity: store.updateActivity };
}
