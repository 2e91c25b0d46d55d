'use client';
import { useSyncExternalStore } from 'react';
import type { Kpis } from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';

/** The dashboard's KPIs as SQL defines them (`dashboard_kpis`, under RLS); null until the first read. */
export function useKpis(): Kpis | null {
  const { kpis } = useRealtimeClient();
  return useSyncExternalStore(kpis.subscribe, kpis.getSnapshot, () => null);
}
