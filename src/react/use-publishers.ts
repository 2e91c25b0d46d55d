'use client';
import { useMemo, useSyncExternalStore } from 'react';
import type { Publisher } from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';

const NO_PUBLISHERS: readonly Publisher[] = Object.freeze([]);

export interface UsePublishersOptions {
  readonly territory?: string;
}

export interface UsePublishersResult {
  readonly publishers: readonly Publisher[];
  /** The first full read has landed: `publishers` is the truth from here on, also when empty. */
  readonly loaded: boolean;
}

/** The publishers the user may read, live (Postgres changes under the user's RLS). */
export function usePublishers({ territory }: UsePublishersOptions = {}): UsePublishersResult {
  const { publishers: store } = useRealtimeClient();
  const all = useSyncExternalStore(store.subscribe, store.getSnapshot, () => NO_PUBLISHERS);
  const loaded = useSyncExternalStore(store.loaded.subscribe, store.loaded.getSnapshot, () => false);
  const publishers = useMemo(
    () => (territory === undefined ? all : Object.freeze(all.filter((p) => p.territory === territory))),
    [all, territory],
  );
  return { publishers, loaded };
}
