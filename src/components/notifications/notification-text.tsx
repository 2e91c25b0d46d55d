'use client';
import Link from 'next/link';
import type { Notification } from '../../react/index.ts';
import { actionHref } from './action-href.ts';

/**
 * A notification's message, as a link to its `actionUrl` when it has a safe one (a path of this
 * site opens in place, an http(s) URL in a new tab). Following it counts as reading it.
 */
export function NotificationText({ notification, onFollow }: { notification: Notification; onFollow: () => void }) {
  const href = actionHref(notification.actionUrl);
  if (!href) return <span>{notification.message}</span>;
  if (href.startsWith('/'))
    return (
      <Link href={href} onClick={onFollow}>
        {notification.message}
      </Link>
    );
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" onClick={onFollow}>
      {notification.message}
    </a>
  );
}
