import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { TERRITORY_PATTERN } from '../contract/index.ts';
import type { AgentSession } from './agent-session.ts';
import type { McpConfig } from './config.ts';
import { answer, refused } from './tool-result.ts';

/*
 * Team updates and notifications go through the realtime bridge (POST /functions/v1/realtime-bridge/
 * broadcast), exactly as the Python SDK's notify() does: the bridge validates the message and its
 * role table decides. Agent accounts may only report runs there, so, like a Python agent, the
 * server sends these with SUPABASE_SERVICE_ROLE_KEY when it is set (always for PUBDEV_ORG_ID, never
 * another organisation); without it the bridge answers the agent's 403, which the tool returns.
 */

const bridgeErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export function registerMessageTools(server: McpServer, session: AgentSession, config: McpConfig): void {
  const send = async (
    body: Record<string, unknown>,
  ): Promise<{ ok: true; data: unknown } | { ok: false; error: unknown }> => {
    const token = config.SUPABASE_SERVICE_ROLE_KEY ?? (await session.accessToken());
    const response = await fetch(`${config.SUPABASE_URL}/functions/v1/realtime-bridge/broadcast`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        apikey: config.SUPABASE_ANON_KEY,
        'Content-Type': 'application/json',
        // One key per call: the bridge delivers a retried request once.
        'Idempotency-Key': randomUUID(),
      },
      body: JSON.stringify({ organizationId: config.PUBDEV_ORG_ID, ...body }),
    });
    const json: unknown = await response.json().catch(() => null);
    if (response.ok) return { ok: true, data: json };
    const parsed = bridgeErrorSchema.safeParse(json);
    return {
      ok: false,
      error: parsed.success ? parsed.data.error : { code: String(response.status), message: response.statusText },
    };
  };

  server.registerTool(
    'post_team_update',
    {
      title: 'Post a team update',
      description: 'Posts an update to the team feed: org-wide, or to one territory.',
      inputSchema: {
        message: z.string().min(1).max(2000),
        territory: z.string().regex(TERRITORY_PATTERN).optional().describe('Omit for the whole organisation'),
        updateType: z.enum(['assignment', 'territory_change', 'publisher_update']).optional(),
      },
    },
    async ({ message, territory, updateType }) => {
      const sent = await send({
        message: {
          type: 'team_update',
          data: {
            updateType: updateType ?? 'publisher_update',
            message,
            userId: session.userId,
            territory: territory ?? null,
            details: {},
          },
        },
      });
      if (!sent.ok) return refused('post_team_update', sent.error);
      return answer('Team update posted.', { delivered: sent.data });
    },
  );

  server.registerTool(
    'notify_member',
    {
      title: 'Notify a member',
      description: 'Sends a notification to one member of the organisation (shown as a toast and in their list).',
      inputSchema: {
        userId: z.uuid().describe("The member's user id"),
        message: z.string().min(1).max(2000),
        level: z.enum(['info', 'warning', 'error', 'success']).optional(),
        actionUrl: z.string().max(2000).optional().describe('A link in the dashboard, e.g. /publishers/<id>'),
      },
    },
    async ({ userId, message, level, actionUrl }) => {
      const sent = await send({
        message: {
          type: 'notification',
          data: { message, level: level ?? 'info', userId, ...(actionUrl ? { actionUrl } : {}) },
        },
        target: { userId },
      });
      if (!sent.ok) return refused('notify_member', sent.error);
      return answer('Notification sent.', { delivered: sent.data });
    },
  );
}
