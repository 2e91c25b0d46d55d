import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AgentSession } from './agent-session.ts';
import type { McpConfig } from './config.ts';
import { registerMessageTools } from './message-tools.ts';
import { registerWorkTools } from './work-tools.ts';

/** The PubDev MCP server: work-queue and messaging tools for an AI agent, acting as its agent account. */
export function createPubdevMcpServer(session: AgentSession, config: McpConfig): McpServer {
  const server = new McpServer(
    { name: 'pubdev-agents', version: '0.1.0' },
    {
      instructions:
        'Work PubDev agent queues: claim_work takes the next item; report_progress while working (a refusal means ' +
        'the run was cancelled: stop); complete_run with a short result summary, or fail_run (retry for transient errors).',
    },
  );
  registerWorkTools(server, session, config);
  registerMessageTools(server, session, config);
  return server;
}
