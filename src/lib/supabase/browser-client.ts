'use client';
import { createBrowserClient } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';
import { AUTH_COOKIE_NAME, type PublicSupabaseConfig } from './public-config.ts';
import type { Database } from '../../contract/index.ts';

let client: { readonly key: string; readonly supabase: SupabaseClient<Database> } | null = null;

/**
 * The one browser client of the page (its session lives in cookies, shared with the server).
 * Created on first use, never at import, and reused afterwards: two clients would open two
 * Realtime sockets and race each other refreshing the same session.
 */
export function getBrowserSupabase(config: Pick<PublicSupabaseConfig, 'url' | 'anonKey'>): SupabaseClient<Database> {
  const key = `${config.url}|${config.anonKey}`;
  if (client?.key !== key)
    client = {
      key,
      supabase: createBrowserClient<Database>(config.url, config.anonKey, {
        cookieOptions: { name: AUTH_COOKIE_NAME },
      }),
    };
  return client.supabase;
}
