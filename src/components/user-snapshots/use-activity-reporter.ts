'use client';
import { useEffect } from 'react';
import { useUserSnapshots } from '../../react/index.ts';

/**
 * Tells the team what this user is doing: online with `action` while the tab is visible, away
 * while it is hidden. The store throttles, so visibility flapping costs nothing.
 */
export function useActivityReporter({
  action,
  territory,
  publisherId,
}: {
  action: string;
  territory?: string | undefined;
  publisherId?: string | undefined;
}): void {
  const { updateActivity } = useUserSnapshots();
  useEffect(() => {
    const report = () =>
      updateActivity({
        action,
        status: document.visibilityState === 'hidden' ? 'away' : 'online',
        ...(territory ? { territory } : {}),
        ...(publisherId ? { publisherId } : {}),
      });
    report();
    document.addEventListener('visibilitychange', report);
    return () => document.removeEventListener('visibilitychange', report);
  }, [updateActivity, action, territory, publisherId]);
}
