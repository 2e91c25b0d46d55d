'use client';
import type { Notification } from '../../react/index.ts';
import { formatTime } from '../format.ts';
import { NotificationText } from './notification-text.tsx';

/**
 * Persistent notifications stay on the page until read (a failed agent, a mention of you); transient
 * ones only toast. Read ones leave this list; the full history is under "Notifications".
 */
export function PinnedNotifications({
  notifications,
  onMarkRead,
}: {
  notifications: readonly Notification[];
  onMarkRead: (id: string) => void;
}) {
  const pinned = notifications.filter((n) => n.persistent && !n.read);
  if (pinned.length === 0) return null;
  return (
    <section className="pinned" aria-label="Needs your attention">
      <ul>
        {pinned.map((n) => (
          <li key={n.id} className={`pinned-item pinned-${n.level}`} data-notification-id={n.id}>
            <NotificationText notification={n} onFollow={() => onMarkRead(n.id)} />
            <span className="muted small"> · {formatTime(n.timestamp)}</span>
            <button type="button" className="link" onClick={() => onMarkRead(n.id)}>
              Mark as read
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
