'use client';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { inTerritoryView, type TeamUpdate } from '../../react/index.ts';
import { formatTime } from '../format.ts';

export interface TeamUpdateFeedProps {
  readonly updates: readonly TeamUpdate[];
  readonly territories: readonly string[];
  /** '' = all territories the user may see. */
  readonly territory: string;
  readonly onTerritoryChange: (territory: string) => void;
  /** A person's display name (never an id). */
  readonly nameOf: (userId: string) => string;
  readonly hasOlder: boolean;
  readonly loadingOlder: boolean;
  readonly onLoadOlder: () => void;
  /** The composer, shown above the list. */
  readonly children?: ReactNode;
}

const KIND: Readonly<Record<TeamUpdate['updateType'], string>> = {
  assignment: 'assignment',
  territory_change: 'territory change',
  publisher_update: 'publisher update',
  agent_run: 'agent',
  note: 'note',
};

/**
 * "Team activity": every team action and posted update, newest first, territory-filtered, the
 * viewer's @mentions highlighted; "Load older" pages into the past. Each item is `#update-<id>`,
 * the target of a mention notification's link.
 */
export function TeamUpdateFeed(props: TeamUpdateFeedProps) {
  const { updates, territories, territory, onTerritoryChange, nameOf, hasOlder, loadingOlder, onLoadOlder } = props;
  const shown = territory ? updates.filter((u) => inTerritoryView(u, territory)) : updates;
  return (
    <section className="card feed" aria-labelledby="feed-title">
      <div className="card-head">
        <h2 id="feed-title">Team activity</h2>
        <label>
          Territory{' '}
          <select value={territory} onChange={(e) => onTerritoryChange(e.target.value)}>
            <option value="">All</option>
            {territories.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      </div>
      {props.children}
      <ul aria-label="Team activity" className="feed-list" data-live-list>
        {shown.map((update) => (
          <FeedItem key={update.id} update={update} author={update.userId ? nameOf(update.userId) : undefined} />
        ))}
        {shown.length === 0 && <li className="muted">No activity yet</li>}
      </ul>
      <div className="feed-more">
        {hasOlder ? (
          <button type="button" onClick={onLoadOlder} disabled={loadingOlder}>
            {loadingOlder ? 'Loading…' : 'Load older'}
          </button>
        ) : (
          updates.length > 0 && <span className="muted small">The beginning of the activity</span>
        )}
      </div>
    </section>
  );
}

function FeedItem({ update, author }: { update: TeamUpdate; author: string | undefined }) {
  const publisherName = typeof update.details.publisherName === 'string' ? update.details.publisherName : null;
  return (
    <li id={`update-${update.id}`} data-update-id={update.id} className={update.mentionsMe ? 'mention' : undefined}>
      {update.mentionsMe && <span className="badge badge-mention">@you</span>} <span>{update.message}</span>
      <div className="muted small">
        {KIND[update.updateType]}
        {update.territory ? ` · ${update.territory}` : ' · org-wide'}
        {update.updateType === 'note' && author ? ` · by ${author}` : ''}
        {update.publisherId && publisherName && (
          <>
            {' · '}
            <Link href={`/publishers/${update.publisherId}`}>{publisherName}</Link>
          </>
        )}
        {' · '}
        {formatTime(update.timestamp)}
      </div>
    </li>
  );
}
