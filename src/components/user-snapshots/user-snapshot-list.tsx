'use client';
import type { UserSnapshot } from '../../react/index.ts';
import { shortId } from '../format.ts';

export interface UserSnapshotListProps {
  readonly people: readonly UserSnapshot[];
  readonly currentUserId: string;
  /** Display names for ids the page knows (the signed-in user, fixture users); ids otherwise. */
  readonly names: Readonly<Record<string, string>>;
}

/** The list "Online now": each person with online/away, latest activity and territory. */
export function UserSnapshotList({ people, currentUserId, names }: UserSnapshotListProps) {
  const visible = people.filter((p) => p.status !== 'offline');
  return (
    <section className="card" aria-labelledby="presence-title">
      <h2 id="presence-title">Online now ({visible.length})</h2>
      <ul aria-label="Online now" className="presence" data-live-list>
        {visible.map((person) => (
          <li key={person.userId} data-user-id={person.userId}>
            <span className={`dot presence-${person.status}`} aria-hidden="true" />
            <strong>{names[person.userId] ?? shortId(person.userId)}</strong>
            {person.userId === currentUserId && <span className="muted"> (you)</span>}
            <span className="muted"> · {person.status}</span>
            <div className="muted small">
              {person.action}
              {person.territory ? ` · ${person.territory}` : ''}
              {person.connections > 1 ? ` · ${person.connections} tabs` : ''}
            </div>
          </li>
        ))}
        {visible.length === 0 && <li className="muted">Nobody else yet</li>}
      </ul>
    </section>
  );
}
