'use client';
import { useCallback, useSyncExternalStore } from 'react';
import type { PeopleSnapshot, Person } from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';

const NOBODY: PeopleSnapshot = Object.freeze({ loaded: false, people: Object.freeze([]), byId: new Map() });

export interface UsePeopleResult {
  readonly loaded: boolean;
  /** The organisation's people, by display name. */
  readonly people: readonly Person[];
  /** A person's display name; `fallback` for someone who is not (or no longer) in the organisation. */
  readonly nameOf: (userId: string, fallback?: string) => string;
}

/** The organisation's people by name, live (renames, new members, removals). */
export function usePeople(): UsePeopleResult {
  const { people: store } = useRealtimeClient();
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, () => NOBODY);
  const nameOf = useCallback(
    (userId: string, fallback = 'a former member') => snapshot.byId.get(userId)?.displayName || fallback,
    [snapshot],
  );
  return { loaded: snapshot.loaded, people: snapshot.people, nameOf };
}
