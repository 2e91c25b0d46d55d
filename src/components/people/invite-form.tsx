'use client';
import { useCallback, useEffect, useState } from 'react';
import {
  inviteMember,
  listOpenInvitations,
  parseTerritories,
  revokeInvitation,
  type CreatedInvitation,
  type OpenInvitation,
} from '../../lib/members.ts';
import type { MemberRole } from '../../lib/session.ts';
import { usePeople } from '../../react/index.ts';
import { useSupabase } from '../shell/supabase-provider.tsx';
import { mayManage } from './member-row.tsx';

/**
 * "Invite someone" (owners and admins): email, role and territories make an invitation whose
 * link is shown once; open invitations are listed and can be withdrawn. The list follows the
 * roster, so an accepted one leaves it when its person joins.
 */
export function InviteForm({ organizationId, viewerRole }: { organizationId: string; viewerRole: MemberRole }) {
  const supabase = useSupabase();
  const { people } = usePeople();
  const [open, setOpen] = useState<readonly OpenInvitation[]>([]);
  const [made, setMade] = useState<CreatedInvitation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [role, setRole] = useState<MemberRole>('member');

  const reload = useCallback(
    () => void listOpenInvitations(supabase, organizationId).then(setOpen),
    [supabase, organizationId],
  );
  useEffect(reload, [reload, people]);

  return (
    <div className="invite">
      <form
        aria-label="Invite someone"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget);
          setError(null);
          setMade(null);
          const result = await inviteMember(supabase, organizationId, {
            email: String(form.get('email') ?? ''),
            role,
            territories: parseTerritories(String(form.get('territories') ?? '')),
          });
          if (!result.ok) return setError(result.message);
          setMade(result.value);
          reload();
        }}
      >
        <h3>Invite someone</h3>
        <label htmlFor="invite-email">Email</label>
        <input id="invite-email" name="email" type="email" required />
        <label htmlFor="invite-role">Role</label>
        <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as MemberRole)}>
          {(['member', 'agent', 'admin', 'owner'] as const)
            .filter((r) => mayManage(viewerRole, r))
            .map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
        </select>
        <label htmlFor="invite-territories">Territories</label>
        <input id="invite-territories" name="territories" placeholder="all territories" />
        <button type="submit">Send invitation</button>
      </form>
      {made && (
        <p role="status" className="small">
          Invitation for {made.email}: send them{' '}
          <a href={`/invite/${made.token}`} data-invite-link>
            this link
          </a>{' '}
          (shown once; valid until {new Date(made.expiresAt).toLocaleDateString()}).
        </p>
      )}
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
      {open.length > 0 && (
        <ul aria-label="Open invitations">
          {open.map((i) => (
            <li key={i.id}>
              {i.email} <span className="muted small">· {i.role}</span>{' '}
              <button type="button" className="link" onClick={() => void revokeInvitation(supabase, i.id).then(reload)}>
                Withdraw
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
