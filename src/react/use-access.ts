'use client';
import { useSyncExternalStore } from 'react';
import type { AccessSnapshot, AccessStore } from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';

const LOADING: AccessSnapshot = Object.freeze({
  status: 'loading',
  organizationName: null,
  role: null,
  territories: Object.freeze([]),
  memberships: Object.freeze([]),
  notices: Object.freeze([]),
});

export interface UseAccessResult extends AccessSnapshot {
  readonly dismiss: AccessStore['dismiss'];
}

/**
 * The user's membership of the organisation, live: `status` (`member`, `removed`), role,
 * territories, every organisation they belong to, and notices of what changed ("You were moved to
 * US_East", "You no longer have access to Acme Publishing") until dismissed.
 */
export function useAccess(): UseAccessResult {
  const { access } = useRealtimeClient();
  const snapshot = useSyncExternalStore(access.subscribe, access.getSnapshot, () => LOADING);
  return { ...snapshot, dismiss: access.dismiss };
}
