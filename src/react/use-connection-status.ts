'use client';
import { useEffect, useSyncExternalStore } from 'react';
import type { ConnectionSnapshot, LostConnectionEvent } from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';
import { useLatest } from './use-latest.ts';

const SERVER_CONNECTION: ConnectionSnapshot = Object.freeze({
  status: 'initial',
  latencyMs: null,
  lastError: null,
  degraded: null,
  delivery: 'live',
});

/**
 * `{ status, latencyMs, lastError, degraded, delivery }` of the realtime connection (`idle`: nothing
 * on the page needs a socket; `delivery: 'delayed'` while over a quota).
 */
export function useConnectionStatus(): ConnectionSnapshot {
  const { connection } = useRealtimeClient();
  return useSyncExternalStore(connection.subscribe, connection.getSnapshot, () => SERVER_CONNECTION);
}

/** Calls `listener('lost' | 'restored' | 'failed')` for a toast; `lost` only after lostConnectionTimeoutMs. */
export function useLostConnectionListener(listener: (event: LostConnectionEvent) => void): void {
  const { connection } = useRealtimeClient();
  const latest = useLatest(listener);
  useEffect(() => connection.onLostConnection((event) => latest.current(event)), [connection, latest]);
}
