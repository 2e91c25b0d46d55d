'use client';
import { useState } from 'react';
import { useConnectionStatus, useLostConnectionListener } from '../../react/index.ts';
import { ConnectionIndicator } from './connection-indicator.tsx';
import { useToast } from '../shell/toast-provider.tsx';

/** The connection indicator on the live status, with a toast when the connection is lost and restored. */
export function LiveConnectionIndicator() {
  const { status, latencyMs, degraded, delivery } = useConnectionStatus();
  const [lost, setLost] = useState(false);
  const toast = useToast();
  useLostConnectionListener((event) => {
    if (event === 'lost') {
      setLost(true);
      toast({ message: 'Connection lost — trying to reconnect', level: 'warning' });
    } else if (event === 'restored') {
      setLost(false);
      toast({ message: 'Connection restored', level: 'success' });
    } else {
      toast({ message: 'Could not reconnect. Check your network or reload the page.', level: 'error' });
    }
  });
  return (
    <ConnectionIndicator
      status={status}
      latencyMs={latencyMs}
      lost={lost && status !== 'connected'}
      degraded={degraded}
      delivery={delivery}
    />
  );
}
