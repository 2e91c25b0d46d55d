/**
 * What `npm start` / `npm run dev` read from the environment, validated up front so a typo stops
 * the script with a message naming the variable instead of failing somewhere later.
 */
import { z } from 'zod';
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY } from '../../local-stack/keys.ts';

const port = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a port number` })
    .int()
    .min(0, `${name} must be 0..65535`)
    .max(65535, `${name} must be 0..65535`)
    .default(fallback);

const devEnvSchema = z.object({
  SUPABASE_URL: z.url({ error: 'SUPABASE_URL must be the URL of a Supabase project' }).optional(),
  SUPABASE_ANON_KEY: z.string().min(20, 'SUPABASE_ANON_KEY must be the project anon key').optional(),
  SUPABASE_SERVICE_ROLE_KEY: z
    .string()
    .min(20, 'SUPABASE_SERVICE_ROLE_KEY must be the project service_role key')
    .optional(),
  PORT: port('PORT', 3000),
  PUBDEV_PORT: port('PUBDEV_PORT', 54321),
  PUBDEV_WEB_HOST: z.string().min(1).default('127.0.0.1'),
  PUBDEV_DEMO_AGENT: z.enum(['on', 'off'], { error: 'PUBDEV_DEMO_AGENT must be on or off' }).default('on'),
});

export interface DevSettings {
  /** Null: start the local stack; otherwise use this Supabase project (hosted or `supabase start`). */
  readonly externalSupabaseUrl: string | null;
  readonly anonKey: string;
  readonly serviceRoleKey: string | null;
  readonly webPort: number;
  readonly webHost: string;
  readonly stackPort: number;
  /** Start the demo agent (and make the Python venv it runs in); `PUBDEV_DEMO_AGENT=off` skips both. */
  readonly demoAgent: boolean;
}

/** Empty values count as unset, like the stack's own configuration. */
export function devSettingsFromEnv(env: NodeJS.ProcessEnv): DevSettings {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = devEnvSchema.safeParse(present);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => issue.message).join('; '));
  const e = parsed.data;
  const anonKey = e.SUPABASE_ANON_KEY ?? present.NEXT_PUBLIC_SUPABASE_ANON_KEY;
  if (e.SUPABASE_URL && !anonKey)
    throw new Error('SUPABASE_URL is set: set SUPABASE_ANON_KEY to the anon key of that project too');
  return {
    externalSupabaseUrl: e.SUPABASE_URL?.replace(/\/+$/, '') ?? null,
    anonKey: anonKey ?? LOCAL_ANON_KEY,
    serviceRoleKey: e.SUPABASE_URL ? (e.SUPABASE_SERVICE_ROLE_KEY ?? null) : LOCAL_SERVICE_ROLE_KEY,
    webPort: e.PORT,
    webHost: e.PUBDEV_WEB_HOST,
    stackPort: e.PUBDEV_PORT,
    demoAgent: e.PUBDEV_DEMO_AGENT === 'on',
  };
}
