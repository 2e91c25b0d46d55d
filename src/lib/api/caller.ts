import { createClient } from '@supabase/supabase-js';
import type { NextRequest, NextResponse } from 'next/server';
import { loadDashboardSession } from '../session.ts';
import { readPublicSupabaseConfig } from '../supabase/public-config.ts';
import { createRequestSupabase } from '../supabase/server-client.ts';
import { jsonError } from './json-error.ts';
import type { Database } from '../../contract/index.ts';

export type Caller =
  | {
      readonly ok: true;
      readonly supabaseUrl: string;
      readonly accessToken: string;
      readonly organizationId: string;
      readonly userId: string;
    }
  | { readonly ok: false; readonly response: NextResponse };

const BEARER = /^Bearer (\S+)$/i;

/**
 * The caller of an API route: the dashboard's session cookie, or `Authorization: Bearer <access
 * token>` (monitoring scripts, curl). Gives their access token (what the bridge authorises) and
 * organisation; 401 when neither is valid. Auth is asked either way (getUser), so a forged or
 * revoked token is refused here, not only by the bridge.
 */
export async function callerOf(request: NextRequest): Promise<Caller> {
  const { serverUrl, anonKey } = readPublicSupabaseConfig();
  const bearer = BEARER.exec(request.headers.get('authorization') ?? '')?.[1];
  let accessToken: string | undefined;
  let session;
  if (bearer) {
    const supabase = createClient<Database>(serverUrl, anonKey, {
      global: { headers: { Authorization: `Bearer ${bearer}` } },
      auth: { persistSession: false, autoRefreshToken: false },
    });
    session = await loadDashboardSession(supabase, { accessToken: bearer });
    accessToken = bearer;
  } else {
    const supabase = await createRequestSupabase();
    session = await loadDashboardSession(supabase);
    accessToken = (await supabase.auth.getSession()).data.session?.access_token;
  }
  if (!session || !accessToken) {
    return {
      ok: false,
      response: jsonError(
        401,
        'unauthorized',
        'Sign in first (session cookie or Authorization: Bearer <access token>): this route acts as you',
      ),
    };
  }
  return {
    ok: true,
    supabaseUrl: serverUrl,
    accessToken,
    organizationId: session.organizationId,
    userId: session.userId,
  };
}
