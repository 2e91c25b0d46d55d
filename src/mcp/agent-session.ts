import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { McpConfig } from './config.ts';
import type { Database } from '../contract/index.ts';

/** The agent account the tools act as: a supabase-js client under its token, so RLS decides every call. */
export interface AgentSession {
  readonly supabase: SupabaseClient<Database>;
  readonly userId: string;
  /** The access token the bridge authenticates (current: supabase-js refreshes a password session). */
  accessToken(): Promise<string>;
}

export async function signInAgent(config: McpConfig): Promise<AgentSession> {
  const token = config.PUBDEV_AGENT_ACCESS_TOKEN;
  if (token) {
    const supabase = createClient<Database>(config.SUPABASE_URL, config.SUPABASE_ANON_KEY, {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { headers: { Authorization: `Bearer ${token}` } },
    });
    const { data, error } = await supabase.auth.getUser(token);
    if (error || !data.user)
      throw new Error(`pubdev-mcp: the access token was refused: ${error?.message ?? 'no user'}`);
    return { supabase, userId: data.user.id, accessToken: () => Promise.resolve(token) };
  }
  const supabase = createClient<Database>(config.SUPABASE_URL, config.SUPABASE_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: true },
  });
  const { data, error } = await supabase.auth.signInWithPassword({
    email: config.PUBDEV_AGENT_EMAIL ?? '',
    password: config.PUBDEV_AGENT_PASSWORD ?? '',
  });
  if (error || !data.user) throw new Error(`pubdev-mcp: sign-in refused: ${error?.message ?? 'no user'}`);
  return {
    supabase,
    userId: data.user.id,
    async accessToken() {
      const { data: current } = await supabase.auth.getSession();
      return current.session?.access_token ?? '';
    },
  };
}
