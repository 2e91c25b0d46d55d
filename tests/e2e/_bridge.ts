/** Sends through the realtime-bridge edge function as a fixture user, the way a server or another client would. */
import { createClient } from '@supabase/supabase-js';
import { LOCAL_ANON_KEY } from '../../local-stack/index.ts';
import { FIXTURE_PASSWORD } from '../../supabase/fixture.ts';

export async function accessTokenOf(supabaseUrl: string, email: string): Promise<string> {
  const client = createClient(supabaseUrl, LOCAL_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { data, error } = await client.auth.signInWithPassword({ email, password: FIXTURE_PASSWORD });
  if (error || !data.session) throw new Error(`sign-in of ${email} failed: ${error?.message}`);
  return data.session.access_token;
}

/** POST /functions/v1/realtime-bridge/broadcast; throws with the bridge's answer unless it is 2xx. */
export async function bridgeBroadcast(supabaseUrl: string, accessToken: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${supabaseUrl}/functions/v1/realtime-bridge/broadcast`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, apikey: LOCAL_ANON_KEY, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`bridge answered ${response.status}: ${text}`);
  return JSON.parse(text) as unknown;
}
