'use client';
import type { ReactNode } from 'react';
import type { DashboardSession } from '../../lib/session.ts';
import { useAccess } from '../../react/index.ts';
import { OrganizationSwitcher } from '../people/organization-switcher.tsx';
import { useSupabase } from './supabase-provider.tsx';

/**
 * Title, organisation (a switcher for people in several, kept live), the signed-in person by
 * name, and room for the live controls (connection, notifications).
 */
export function DashboardHeader({
  title,
  session,
  children,
}: {
  title: string;
  session: DashboardSession;
  children: ReactNode;
}) {
  const supabase = useSupabase();
  const access = useAccess();
  const organizations = access.status === 'loading' ? session.memberships : access.memberships;
  return (
    <header className="top">
      <div>
        <h1>{title}</h1>
        <p className="muted">
          {session.organizationName} · signed in as <strong>{session.displayName}</strong>{' '}
          <OrganizationSwitcher current={session.organizationId} organizations={organizations} />
        </p>
      </div>
      <div className="top-actions">
        {children}
        <button
          type="button"
          onClick={async () => {
            await supabase.auth.signOut();
            window.location.assign('/login');
          }}
        >
          Sign out
        </button>
      </div>
    </header>
  );
}
