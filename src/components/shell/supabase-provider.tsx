'use client';
import type { SupabaseClient } from '@supabase/supabase-js';
import { createContext, useContext, type ReactNode } from 'react';
import { getBrowserSupabase } from '../../lib/supabase/browser-client.ts';
import type { Database } from '../../contract/index.ts';

interface SupabaseSettings {
  readonly url: string;
  readonly anonKey: string;
}

const SettingsContext = createContext<SupabaseSettings | null>(null);

/** Hands the runtime Supabase settings (read by the root layout on the server) to client components. */
export function SupabaseProvider({ settings, children }: { settings: SupabaseSettings; children: ReactNode }) {
  return <SettingsContext.Provider value={settings}>{children}</SettingsContext.Provider>;
}

/** The page's one browser client; throws when used outside `<SupabaseProvider>` (a wiring bug). */
export function useSupabase(): SupabaseClient<Database> {
  const settings = useContext(SettingsContext);
  if (!settings) throw new Error('useSupabase must be used inside <SupabaseProvider>');
  return getBrowserSupabase(settings);
}
