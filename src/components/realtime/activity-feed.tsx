'use client';
import { formatTime } from './format.ts';

export interface TeamUpdateView {
  readonly id: string;
  readonly timestamp: string;
  readonly data: {
    readonly updateType: string;
    readonly message: string;
    readonly userId?: string | null | undefined;
    readonly territory?: string | null | undefined;
    readonly details: { readonly mentions?: readonly string[] | null | undefined };
  };
}

export interface ActivityFeedProps {
  readonly updates: readonly TeamUpdateView[];
  readonly currentUserId: string;
  readonly territories: readonly string[];
  /** '' = all territories the user may see. */
  readonly territory: string;
  readonly onTerritoryChange: (territory: string) => void;
}

/** The list "Team activity": newest first, territory-filtered, @mentions of the viewer highlighted. */
export function ActivityFeed({ updates, currentUserId, territories, territory, onTerritoryChange }: ActivityFeedProps) {
  const shown = territory ? updates.filter((u) => !u.data.territory || u.data.territory === territory) : updates;
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
      <ul aria-label="Team activity" className="feed-list">
        {shown.map((update) => {
          const mentionsMe = update.data.details.mentions?.includes(currentUserId) ?? false;
          return (
            <li key={update.id} data-update-id={update.id} className={mentionsMe ? 'mention' : undefined}>
              {mentionsMe && <span className="badge badge-mention">@you</span>} <span>{update.data.message}</span>
              <div className="muted small">
                {update.data.updateType.replace('_', ' ')}
                {update.data.territory ? ` · ${update.data.territory}` : ' · org-wide'} · {formatTime(update.timestamp)}
              </div>
            </li>
          );
        })}
        {shown.length === 0 && <li className="muted">No activity yet</li>}
      </ul>
    </section>
  );
}
