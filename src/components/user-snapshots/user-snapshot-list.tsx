'use client';
import type { UserSnapshot } from '../../react/index.ts';

export interface UserSnapshotListProps {
  readonly people: readonly UserSnapshot[];
  readonly currentUserId: string;
  /** A person's display name (never an id). */
  readonly nameOf: (userId: string) => string;
}

/**
 * The list "Online now": each person the database vouches for, by name, with online/away and the
 * latest activity the viewer may see (blank when they are busy with something the viewer may not).
 */
export function UserSnapshotList({ people, currentUserId, nameOf }: UserSnapshotListProps) {
  const visible = people.filter((p) => p.status !== 'offline');
  return (
    <section className="card" aria-labelledby="presence-title">
      <h2 id="presence-title">Online now ({visible.length})</h2>
      <ul aria-label="Online now" className="presence" data-live-list>
        {visible.map((person) => (
          <li key={person.userId} data-user-id={person.userId}>
            <span className={`dot presence-${person.status}`} aria-hidden="true" />
            <strong>{nameOf(person.userId)}</strong>
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
