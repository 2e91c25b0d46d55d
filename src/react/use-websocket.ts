'use client';
import { useCallback, useEffect } from 'react';
import type { RealtimeMessage } from '../contract/index.ts';
import type { ConnectionStatus, OutgoingMessage, SendResult } from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';
import { useConnectionStatus } from './use-connection-status.ts';
import { useLatest } from './use-latest.ts';

export interface UseWebSocketOptions {
  /** Every validated contract message of the user's topics. */
  readonly onMessage?: (message: RealtimeMessage) => void;
}

export interface UseWebSocketResult {
  readonly isConnected: boolean;
  readonly status: ConnectionStatus;
  /** Posts `{ type, data, target? }` to the realtime bridge with the user's session. */
  readonly sendMessage: (message: OutgoingMessage) => Promise<SendResult>;
}

export function useWebSocket(options: UseWebSocketOptions = {}): UseWebSocketResult {
  const client = useRealtimeClient();
  const { status } = useConnectionStatus();
  const onMessage = useLatest(options.onMessage);
  const listening = options.onMessage !== undefined;
  useEffect(() => {
    if (!listening) return undefined;
    return client.onMessage((message) => onMessage.current?.(message));
  }, [client, listening, onMessage]);
  const sendMessage = useCallback((message: OutgoingMessage) => client.sendMessage(message), [client]);
  return { isConnected: status === 'connected', status, sendMessage };
}
