'use client';
import { useSyncExternalStore } from 'react';
import type { Person } from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';

const NO_PEOPLE: readonly Person[] = Object.freeze([]);

/** The organisation's people with their display names, by name. */
export function usePeople(): readonly Person[] {
  const { people } = useRealtimeClient();
  return useSyncExternalStore(people.subscribe, people.getSnapshot, () => NO_PEOPLE);
}
