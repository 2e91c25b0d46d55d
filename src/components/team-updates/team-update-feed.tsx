'use client';
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
}

/** The list "Team activity": newest first, territory-filtered, @mentions of the viewer highlighted. */
export function TeamUpdateFeed({ updates, territories, territory, onTerritoryChange, nameOf }: TeamUpdateFeedProps) {
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
      <ul aria-label="Team activity" className="feed-list" data-live-list>
        {shown.map((update) => {
          const mentionsMe = update.mentionsMe;
          return (
            <li key={update.id} data-update-id={update.id} className={mentionsMe ? 'mention' : undefined}>
              {mentionsMe && <span className="badge badge-mention">@you</span>} <span>{update.message}</span>
              <div className="muted small">
                {update.updateType.replace('_', ' ')}
                {update.territory ? ` · ${update.territory}` : ' · org-wide'}
                {update.userId ? ` · by ${nameOf(update.userId)}` : ''} · {formatTime(update.timestamp)}
              </div>
            </li>
          );
        })}
        {shown.length === 0 && <li className="muted">No activity yet</li>}
      </ul>
    </section>
  );
}
