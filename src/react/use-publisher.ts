'use client';
import { useSyncExternalStore } from 'react';
import type { PublisherRecordSnapshot, PublisherRecordStore } from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';

const NO_PUBLISHER: PublisherRecordSnapshot = Object.freeze({
  publisher: null,
  viewers: Object.freeze([]),
  editors: Object.freeze([]),
  drafts: Object.freeze([]),
});

export interface UsePublisherResult extends PublisherRecordSnapshot {
  readonly setEditing: PublisherRecordStore['setEditing'];
  readonly draft: PublisherRecordStore['draft'];
  readonly save: PublisherRecordStore['save'];
}

/** One publisher record: live fields, who views/edits which field, live drafts, and a conflict-aware save. */
export function usePublisher(publisherId: string): UsePublisherResult {
  const store = useRealtimeClient().publisher(publisherId);
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, () => NO_PUBLISHER);
  return { ...snapshot, setEditing: store.setEditing, draft: store.draft, save: store.save };
}
