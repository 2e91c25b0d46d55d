'use client';
import type { ReactNode } from 'react';
import { useSupabase } from './supabase-provider.tsx';

/** Title, organisation, the signed-in user, and room for the live controls (connection, notifications). */
export function DashboardHeader({
  title,
  organizationName,
  email,
  children,
}: {
  title: string;
  organizationName: string;
  email: string;
  children: ReactNode;
}) {
  const supabase = useSupabase();
  return (
    <header className="top">
      <div>
        <h1>{title}</h1>
        <p className="muted">
          {organizationName} · signed in as <strong>{email}</strong>
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
