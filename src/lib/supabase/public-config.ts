import { z } from 'zod';

/**
 * The two values a browser needs to reach Supabase: the project URL and the anon (publishable)
 * key. Read on the server at request time and handed to the browser by the root layout.
 *
 * RATIONALE: Next inlines `process.env.NEXT_PUBLIC_*` into bundles at build time, which would tie
 * one build to one Supabase project (and the e2e suite to one stack port). Reading the variables
 * through a computed key at request time keeps a single `next build` usable against the local
 * stack, `supabase start` or a hosted project; only the environment of `next start` differs.
 */
export interface PublicSupabaseConfig {
  /** The project URL as the browser reaches it. */
  readonly url: string;
  /** The project URL as this server reaches it (differs in containers: SUPABASE_SERVER_URL). */
  readonly serverUrl: string;
  readonly anonKey: string;
  /** True for a loopback URL (local stack or `supabase start`): the login page lists fixture users. */
  readonly isLocal: boolean;
}

const publicConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:54321' }),
  anonKey: z.string().min(20, 'must be the anon or publishable key of the project'),
});

/**
 * The session cookie's name, the same for browser and server clients.
 *
 * RATIONALE: @supabase/ssr derives the name from the URL's host (`sb-127-auth-token`), so a
 * server that reaches Supabase by another name than the browser does (a container reaching the
 * host's `supabase start` as host.docker.internal) would look for a cookie that does not exist.
 */
export const AUTH_COOKIE_NAME = 'sb-pubdev-auth-token';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', 'host.docker.internal']);

/** Environment lookup through a computed key, so bundlers cannot inline it (see RATIONALE). */
function env(...names: readonly string[]): string | undefined {
  const source: Record<string, string | undefined> = process.env;
  for (const name of names) {
    const value = source[name];
    if (value) return value;
  }
  return undefined;
}

/** The public Supabase settings, validated; throws an Error naming the variable that is wrong. */
export function readPublicSupabaseConfig(): PublicSupabaseConfig {
  const parsed = publicConfigSchema.safeParse({
    url: env('NEXT_PUBLIC_SUPABASE_URL', 'SUPABASE_URL'),
    anonKey: env('NEXT_PUBLIC_SUPABASE_ANON_KEY', 'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY', 'SUPABASE_ANON_KEY'),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = issue?.path[0] === 'url' ? 'NEXT_PUBLIC_SUPABASE_URL' : 'NEXT_PUBLIC_SUPABASE_ANON_KEY';
    throw new Error(`${variable} ${issue?.code === 'invalid_type' ? 'is not set' : (issue?.message ?? 'is invalid')}`);
  }
  const url = parsed.data.url.replace(/\/+$/, '');
  const serverUrl = z.url().safeParse(env('SUPABASE_SERVER_URL'));
  return {
    url,
    serverUrl: serverUrl.success ? serverUrl.data.replace(/\/+$/, '') : url,
    anonKey: parsed.data.anonKey,
    isLocal: LOOPBACK_HOSTS.has(new URL(url).hostname),
  };
}

/** The service role key for server-only calls (health, connection statistics); undefined when unset. */
export function readServiceRoleKey(): string | undefined {
  return env('SUPABASE_SERVICE_ROLE_KEY', 'SUPABASE_SECRET_KEY');
}
