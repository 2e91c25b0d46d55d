import { z } from 'zod';

/*
 * The function's environment, validated once at start-up. `SUPABASE_*` come from the edge
 * runtime (hosted Supabase and the local stack alike); `BRIDGE_*` from supabase/functions/.env
 * locally and `supabase secrets set` in production. An empty value counts as unset.
 */

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const secret = z.string().min(16, 'must be at least 16 characters').optional();

export const bridgeEnvSchema = z.object({
  SUPABASE_URL: z.url(),
  SUPABASE_ANON_KEY: z.string().min(1),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(1),
  /** Requests per second and organisation on POST /broadcast. */
  BRIDGE_RATE_LIMIT_PER_SECOND: positiveInt(50),
  /** How long an Idempotency-Key answer is kept and replayed. */
  BRIDGE_IDEMPOTENCY_TTL_SECONDS: positiveInt(300),
  /** Where the database, REST and Realtime are probed by GET /health (default SUPABASE_URL). */
  BRIDGE_HEALTH_URL: z.url().optional(),
  /** Per-request timeout of each GET /health probe. */
  BRIDGE_HEALTH_TIMEOUT_MS: positiveInt(2000),
  /** HMAC-SHA256 secrets of POST /integrations/<source>; a source without one is refused. */
  BRIDGE_GMAIL_SECRET: secret,
  BRIDGE_CALENDAR_SECRET: secret,
  BRIDGE_LINKEDIN_SECRET: secret,
  BRIDGE_DRIVE_SECRET: secret,
});

export type BridgeEnv = z.infer<typeof bridgeEnvSchema>;

/** Parses the environment; throws naming every bad variable, so a misconfigured deploy fails at boot. */
export function loadBridgeEnv(raw: Record<string, string | undefined>): BridgeEnv {
  const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = bridgeEnvSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`realtime-bridge: invalid environment: ${problems}`);
  }
  return parsed.data;
}
