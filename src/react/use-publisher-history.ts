'use client';
import { useSyncExternalStore } from 'react';
import type { PublisherHistorySnapshot, PublisherHistoryStore } from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';

const NO_HISTORY: PublisherHistorySnapshot = Object.freeze({
  changes: Object.freeze([]),
  hasOlder: false,
  loading: false,
});

export interface UsePublisherHistoryResult extends PublisherHistorySnapshot {
  readonly loadOlder: PublisherHistoryStore['loadOlder'];
}

/** A publisher's change history (who, when, old → new), newest first, following the record live. */
export function usePublisherHistory(publisherId: string): UsePublisherHistoryResult {
  const store = useRealtimeClient().publisherHistory(publisherId);
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, () => NO_HISTORY);
  return { ...snapshot, loadOlder: store.loadOlder };
}
