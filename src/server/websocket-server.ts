import { z } from 'zod';
import { withUnobservedErrorsLogged } from './log-unobserved.ts';
import { createRealtimeServer, type RealtimeServer } from './realtime-server.ts';

/*
 * The seed's server-side entry point (`@/lib/websocket/server`): one RealtimeServer for the
 * process, configured from the environment. The name stays for the seed's call sites; there is
 * no WebSocket server any more — it calls the realtime-bridge edge function as the service role.
 */

const serverEnvSchema = z
  .object({
    SUPABASE_URL: z.url().optional(),
    NEXT_PUBLIC_SUPABASE_URL: z.url().optional(),
    SUPABASE_SERVICE_ROLE_KEY: z.string().min(1, 'is required (the service role key, server-side only)'),
  })
  .refine((env) => env.SUPABASE_URL ?? env.NEXT_PUBLIC_SUPABASE_URL, {
    message: 'is required',
    path: ['SUPABASE_URL'],
  });

let cached: { key: string; server: RealtimeServer } | undefined;

/**
 * Its calls return promises as createRealtimeServer's do; a refusal that no caller awaits is logged
 * (console.error) rather than left as an unhandled rejection, so the seed's call without `await`
 * is safe.
 * @example getWebSocketServer().broadcastToOrganization(organizationId, {
 *   type: 'team_update',
 *   data: { message: 'New publisher assigned', updateType: 'assignment' },
 *   timestamp: new Date().toISOString(),
 * })
 */
export function getWebSocketServer(env: Record<string, string | undefined> = process.env): RealtimeServer {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = serverEnvSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ');
    throw new Error(`getWebSocketServer: invalid environment: ${problems}`);
  }
  const supabaseUrl = (parsed.data.SUPABASE_URL ?? parsed.data.NEXT_PUBLIC_SUPABASE_URL)!;
  const key = `${supabaseUrl}\n${parsed.data.SUPABASE_SERVICE_ROLE_KEY}`;
  if (cached?.key !== key)
    cached = {
      key,
      server: withUnobservedErrorsLogged(
        createRealtimeServer({ supabaseUrl, serviceRoleKey: parsed.data.SUPABASE_SERVICE_ROLE_KEY }),
      ),
    };
  return cached.server;
}
