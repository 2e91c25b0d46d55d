'use client';
import type { SupabaseClient } from '@supabase/supabase-js';
import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { sharedRealtimeClient, type RealtimeClient, type RealtimeClientOptions } from '../realtime/index.ts';
import type { Database } from '../contract/index.ts';

const RealtimeContext = createContext<RealtimeClient | null>(null);

export interface RealtimeProviderProps {
  /** The browser's supabase-js client (one per tab). */
  readonly supabase: SupabaseClient<Database>;
  readonly organizationId: string;
  /** Timers, clock, timeouts, bridge URL (see RealtimeClientOptions); read when the core of this client and organisation is first created. */
  readonly options?: Omit<RealtimeClientOptions, 'supabase' | 'organizationId'>;
  readonly children?: ReactNode;
}

/**
 * Provides the realtime core to the hooks below it.
 * @example
 * <RealtimeProvider supabase={supabase} organizationId={orgId}><TeamDashboard /></RealtimeProvider>
 *
 * RATIONALE: the core is looked up during render (useMemo) because creating it does nothing: no
 * socket, no channel, no timer; it is shared per supabase-js client and organisation (see
 * sharedRealtimeClient), so StrictMode's second render and any re-mount get the same one. Only
 * the effect starts it (`retain`), and its release waits a grace period, so StrictMode's
 * unmount/re-mount never drops the connection.
 */
export function RealtimeProvider({ supabase, organizationId, options, children }: RealtimeProviderProps): ReactNode {
  // `options` is read once per client: a new object each render must not re-create the core.
  const client = useMemo(
    () => sharedRealtimeClient({ ...options, supabase, organizationId }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [supabase, organizationId],
  );
  useEffect(() => client.retain(), [client]);
  return <RealtimeContext.Provider value={client}>{children}</RealtimeContext.Provider>;
}

/** The core of the nearest RealtimeProvider (for advanced uses: stores, errors, diagnostics). */
export function useRealtimeClient(): RealtimeClient {
  const client = useContext(RealtimeContext);
  if (!client) throw new Error('Realtime hooks must be used inside <RealtimeProvider supabase={…} organizationId={…}>');
  return client;
}
