import { z } from 'zod';

/*
 * The MCP server's configuration, from environment variables (docs/mcp.md lists them). Validated
 * once at start: a missing or malformed variable stops the server with a message naming it,
 * before any MCP client sees a tool.
 */

const uuid = z
  .uuid({ version: 'v4' })
  .or(z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/));

const configSchema = z
  .object({
    SUPABASE_URL: z.url({ protocol: /^https?$/ }),
    SUPABASE_ANON_KEY: z.string().min(20),
    PUBDEV_ORG_ID: uuid,
    /** The queue the server claims from unless a call names another agent. */
    PUBDEV_AGENT_ID: z.string().min(1).max(200).default('mcp-agent'),
    PUBDEV_AGENT_EMAIL: z.email().optional(),
    PUBDEV_AGENT_PASSWORD: z.string().min(1).optional(),
    /** An access token of the agent account, instead of email and password (it is not refreshed). */
    PUBDEV_AGENT_ACCESS_TOKEN: z.string().min(20).optional(),
    /**
     * Optional: team updates and notifications go out with this key (as the Python SDK's notify()
     * does for agents), since agent accounts themselves may only report runs.
     */
    SUPABASE_SERVICE_ROLE_KEY: z.string().min(20).optional(),
    PUBDEV_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  })
  .refine((env) => env.PUBDEV_AGENT_ACCESS_TOKEN || (env.PUBDEV_AGENT_EMAIL && env.PUBDEV_AGENT_PASSWORD), {
    message: 'set PUBDEV_AGENT_EMAIL and PUBDEV_AGENT_PASSWORD, or PUBDEV_AGENT_ACCESS_TOKEN',
    path: ['PUBDEV_AGENT_EMAIL'],
  });

export type McpConfig = z.infer<typeof configSchema>;

/** The configuration, or an Error listing every variable that is missing or malformed. */
export function readConfig(env: Readonly<Record<string, string | undefined>>): McpConfig {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`);
  throw new Error(`pubdev-mcp: invalid configuration\n  ${problems.join('\n  ')}`);
}
