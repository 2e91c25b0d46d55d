import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { signInAgent } from './agent-session.ts';
import { readConfig } from './config.ts';
import { createPubdevMcpServer } from './server.ts';

/*
 * `npm run mcp` / the `pubdev-mcp` bin: the MCP server on stdio. stdout carries only the protocol,
 * so everything for people goes to stderr.
 */
try {
  const config = readConfig(process.env);
  const session = await signInAgent(config);
  const server = createPubdevMcpServer(session, config);
  await server.connect(new StdioServerTransport());
  console.error(`pubdev-mcp: serving organisation ${config.PUBDEV_ORG_ID} as ${session.userId} on stdio`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
