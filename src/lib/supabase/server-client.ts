import { createServerClient } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';
import { cookies } from 'next/headers';
import { AUTH_COOKIE_NAME, readPublicSupabaseConfig } from './public-config.ts';
import type { Database } from '../../contract/index.ts';

/**
 * A Supabase client for one server request (server component, route handler or server action),
 * reading and writing that request's session cookies. Never shared between requests: the
 * session it carries belongs to one user.
 */
export async function createRequestSupabase(): Promise<SupabaseClient<Database>> {
  const { serverUrl, anonKey } = readPublicSupabaseConfig();
  const store = await cookies();
  return createServerClient<Database>(serverUrl, anonKey, {
    cookieOptions: { name: AUTH_COOKIE_NAME },
    cookies: {
      getAll: () => store.getAll(),
      setAll: (list) => {
        try {
          for (const { name, value, options } of list) store.set(name, value, options);
        } catch {
          // RATIONALE: server components may not set cookies. The proxy (src/proxy.ts) refreshes
          // the session on every request before rendering, so nothing is lost by skipping here.
        }
      },
    },
  });
}
