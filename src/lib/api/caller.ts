import type { NextResponse } from 'next/server';
import { loadDashboardSession } from '../session.ts';
import { readPublicSupabaseConfig } from '../supabase/public-config.ts';
import { createRequestSupabase } from '../supabase/server-client.ts';
import { jsonError } from './json-error.ts';

export type Caller =
  | { readonly ok: true; readonly supabaseUrl: string; readonly accessToken: string; readonly organizationId: string; readonly userId: string }
  | { readonly ok: false; readonly response: NextResponse };

/**
 * The signed-in caller of an API route, from the session cookie: their access token (what the
 * bridge authorises) and organisation. 401 without a valid session.
 */
export async function callerOf(): Promise<Caller> {
  const supabase = await createRequestSupabase();
  // getUser() asks Auth, so a forged or revoked cookie is refused here, not only by the bridge.
  const session = await loadDashboardSession(supabase);
  const { data } = await supabase.auth.getSession();
  if (!session || !data.session) return { ok: false, response: jsonError(401, 'unauthorized', 'Sign in first: this route acts with your session') };
  return {
    ok: true,
    supabaseUrl: readPublicSupabaseConfig().serverUrl,
    accessToken: data.session.access_token,
    organizationId: session.organizationId,
    userId: session.userId,
  };
}
