'use client';
import { useAccess } from '../../react/index.ts';

/**
 * What changed about the person's rights while the page was open ("You were moved to US_East",
 * "You are now an admin of Acme Publishing"), each until dismissed. A removal is the page's
 * NoAccess panel instead.
 */
export function AccessNotices() {
  const { notices, dismiss } = useAccess();
  const shown = notices.filter((n) => n.kind === 'changed');
  if (shown.length === 0) return null;
  return (
    <ul className="access-notices" aria-label="Access changes">
      {shown.map((notice) => (
        <li key={notice.id} role="status" className="access-notice">
          <span>{notice.message}</span>
          <button type="button" aria-label="Dismiss" onClick={() => dismiss(notice.id)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Shown in place of an organisation's page once the person was removed from it. */
export function NoAccess({ organizationName }: { organizationName: string }) {
  const { memberships } = useAccess();
  return (
    <section className="card no-access" role="alert" aria-labelledby="no-access-title">
      <h2 id="no-access-title">You no longer have access to {organizationName}</h2>
      <p className="muted">An owner or admin removed you from it. Nothing of it is shown or received here any more.</p>
      {memberships.length > 0 && (
        <ul aria-label="Your organisations">
          {memberships.map((m) => (
            <li key={m.organizationId}>
              <a href={`/?org=${m.organizationId}`}>{m.organizationName}</a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
