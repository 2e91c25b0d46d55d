'use client';
import type { MemberRole } from '../../lib/session.ts';
import { usePeople } from '../../react/index.ts';
import { InviteForm } from './invite-form.tsx';
import { MemberRow } from './member-row.tsx';

/**
 * "People": the organisation's members by name with role and territories, live (someone who
 * accepts an invitation appears here at once). Owners and admins change roles and territories,
 * remove members and invite new ones; what they may touch is the organisation's rule.
 */
export function MembersPanel({
  organizationId,
  viewerId,
  viewerRole,
}: {
  organizationId: string;
  viewerId: string;
  viewerRole: MemberRole;
}) {
  const { people, loaded } = usePeople();
  const manages = viewerRole === 'owner' || viewerRole === 'admin';
  return (
    <section className="card people" aria-labelledby="people-title">
      <h2 id="people-title">People</h2>
      <ul aria-label="People" data-live-list>
        {people.map((person) => (
          <MemberRow
            // A changed role or territory list resets the row's form to the database's values.
            key={`${person.userId}:${person.role}:${person.territories.join(',')}`}
            person={person}
            organizationId={organizationId}
            viewerRole={viewerRole}
            isYou={person.userId === viewerId}
          />
        ))}
        {loaded && people.length === 0 && <li className="muted">Nobody</li>}
      </ul>
      {manages && <InviteForm organizationId={organizationId} viewerRole={viewerRole} />}
    </section>
  );
}
