'use client';
import { useEffect, useSyncExternalStore } from 'react';
import type { Notification, NotificationsSnapshot, WriteResult } from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';
import { useLatest } from './use-latest.ts';

const NO_NOTIFICATIONS: NotificationsSnapshot = Object.freeze({ notifications: Object.freeze([]), unreadCount: 0 });

export interface UseNotificationsOptions {
  /** Once per new notification (not for the history loaded at start): for toasts. */
  readonly onNotification?: (notification: Notification) => void;
}

export interface UseNotificationsResult extends NotificationsSnapshot {
  readonly markRead: (id: string) => Promise<WriteResult>;
  readonly markAllRead: () => Promise<WriteResult>;
}

export function useNotifications(options: UseNotificationsOptions = {}): UseNotificationsResult {
  const { notifications: store } = useRealtimeClient();
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, () => NO_NOTIFICATIONS);
  const onNotification = useLatest(options.onNotification);
  useEffect(() => store.onNotification((n) => onNotification.current?.(n)), [store, onNotification]);
  return { ...snapshot, markRead: store.markRead, markAllRead: store.markAllRead };
}
