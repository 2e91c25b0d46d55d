'use client';
import { useId, useState } from 'react';
import type { Notification } from '../../react/index.ts';
import { formatTime } from '../format.ts';
import { NotificationText } from './notification-text.tsx';

export interface NotificationsMenuProps {
  readonly notifications: readonly Notification[];
  readonly unreadCount: number;
  readonly onMarkRead: (id: string) => void;
  readonly onMarkAllRead: () => void;
}

/** A "Notifications" button with the unread count that opens the list (Escape closes it). */
export function NotificationsMenu({ notifications, unreadCount, onMarkRead, onMarkAllRead }: NotificationsMenuProps) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  return (
    <div className="notifications" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
      <button type="button" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
        Notifications{' '}
        <span className="count" aria-label={`${unreadCount} unread`}>
          {unreadCount}
        </span>
      </button>
      {open && (
        <div id={panelId} className="card notifications-panel">
          <div className="card-head">
            <h2>Notifications</h2>
            <button type="button" onClick={onMarkAllRead} disabled={unreadCount === 0}>
              Mark all as read
            </button>
          </div>
          <ul aria-label="Notification list">
            {notifications.map((n) => (
              <li key={n.id} className={n.read ? 'read' : 'unread'} data-notification-id={n.id}>
                <span className={`badge badge-${n.level}`}>{n.level}</span>{' '}
                <NotificationText notification={n} onFollow={() => !n.read && onMarkRead(n.id)} />
                <div className="muted small">
                  {formatTime(n.timestamp)}
                  {n.persistent ? ' · stays until read' : ''}
                </div>
                {!n.read && (
                  <button type="button" className="link" onClick={() => onMarkRead(n.id)}>
                    Mark as read
                  </button>
                )}
              </li>
            ))}
            {notifications.length === 0 && <li className="muted">Nothing yet</li>}
          </ul>
        </div>
      )}
    </div>
  );
}
