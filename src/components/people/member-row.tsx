'use client';
import { useState } from 'react';
import { changeMember, parseTerritories, removeMember } from '../../lib/members.ts';
import type { MemberRole } from '../../lib/session.ts';
import type { Person } from '../../react/index.ts';
import { useSupabase } from '../shell/supabase-provider.tsx';

const ROLES: readonly MemberRole[] = ['owner', 'admin', 'member', 'agent'];

/** Who may change whose membership: the organisation's rule (owners: everyone; admins: members and agents). */
export function mayManage(viewer: MemberRole, target: MemberRole): boolean {
  return viewer === 'owner' || (viewer === 'admin' && (target === 'member' || target === 'agent'));
}

/** One person of the roster: name, role, territories; owners and admins change or remove them here. */
export function MemberRow({
  person,
  organizationId,
  viewerRole,
  isYou,
}: {
  person: Person;
  organizationId: string;
  viewerRole: MemberRole;
  isYou: boolean;
}) {
  const supabase = useSupabase();
  const [role, setRole] = useState<MemberRole>(person.role);
  const [territories, setTerritories] = useState(person.territories.join(', '));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editable = !isYou && mayManage(viewerRole, person.role);
  const name = person.displayName || 'Someone';
  const scope = person.territories.length > 0 ? person.territories.join(', ') : 'all territories';

  async function run(action: () => Promise<{ ok: boolean; message?: string }>) {
    setBusy(true);
    setError(null);
    const result = await action();
    setBusy(false);
    if (!result.ok) setError(result.message ?? 'Refused');
  }

  return (
    <li data-user-id={person.userId} className="member">
      <div>
        <strong>{name}</strong>
        {isYou && <span className="muted"> (you)</span>}
        <span className="muted small">
          {' '}
          · {person.role} · {scope}
        </span>
      </div>
      {editable && (
        <form
          className="member-edit"
          aria-label={`Change ${name}`}
          onSubmit={(e) => {
            e.preventDefault();
            void run(() =>
              changeMember(supabase, organizationId, person.userId, {
                role,
                territories: parseTerritories(territories),
              }),
            );
          }}
        >
          <select aria-label={`Role of ${name}`} value={role} onChange={(e) => setRole(e.target.value as MemberRole)}>
            {ROLES.filter((r) => mayManage(viewerRole, r)).map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <input
            aria-label={`Territories of ${name}`}
            placeholder="all territories"
            value={territories}
            onChange={(e) => setTerritories(e.target.value)}
          />
          <button type="submit" disabled={busy}>
            Save
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => void run(() => removeMember(supabase, organizationId, person.userId))}
          >
            Remove
          </button>
        </form>
      )}
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
    </li>
  );
}
