'use client';
import type { ReactNode } from 'react';
import { RealtimeProvider } from '../../react/index.ts';
import { useSupabase } from './supabase-provider.tsx';
import { ToastProvider } from './toast-provider.tsx';

/**
 * Everything realtime on a page hangs below this: one RealtimeProvider over the page's one
 * browser client, and the toasts. Server components never render realtime state.
 */
export function RealtimeShell({ organizationId, children }: { organizationId: string; children: ReactNode }) {
  const supabase = useSupabase();
  return (
    <RealtimeProvider supabase={supabase} organizationId={organizationId}>
      <ToastProvider>{children}</ToastProvider>
    </RealtimeProvider>
  );
}
