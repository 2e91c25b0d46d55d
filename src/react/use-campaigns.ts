'use client';
import { useSyncExternalStore } from 'react';
import type { Campaign } from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';

const NO_CAMPAIGNS: readonly Campaign[] = Object.freeze([]);

/** Campaigns of the publishers the user may read: totals and recent data points, moving as points arrive. */
export function useCampaigns(): { readonly campaigns: readonly Campaign[] } {
  const { campaigns: store } = useRealtimeClient();
  const campaigns = useSyncExternalStore(store.subscribe, store.getSnapshot, () => NO_CAMPAIGNS);
  return { campaigns };
}
