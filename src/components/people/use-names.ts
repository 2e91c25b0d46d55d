'use client';
import { useCallback } from 'react';
import { usePeople } from '../../react/index.ts';

/**
 * A person's display name: the live roster's, else the server's first read (so a name shows from
 * the first paint), else "a former member" — never an id.
 */
export function useNames(initial: Readonly<Record<string, string>>): (userId: string) => string {
  const { nameOf } = usePeople();
  return useCallback((userId: string) => nameOf(userId, initial[userId] ?? 'a former member'), [nameOf, initial]);
}
