/**
 * The MCP server as an AI agent's MCP client uses it: the official SDK's Client spawns
 * `src/mcp/main.ts` over stdio, signed in as the fixture agent account, against a local stack.
 * The client lists the tools, claims an item a person queued, reports progress and completes it;
 * the owner's realtime core shows each step live, and the requester is notified with the result.
 * Refusals come back as tool errors with the database's or the bridge's reason.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_PASSWORD, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { ACME, startClientStack, until, type ClientStack } from './_client-stack.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SUNRISE = PUBLISHERS.sunriseBooks.id;

type ToolResult = { isError?: boolean; structuredContent?: Record<string, unknown>; content: { text?: string }[] };

describe.each(BACKENDS)('MCP server (%s)', (backend) => {
  let rt: ClientStack;
  let mcp: Client;
  const stderr: string[] = [];

  beforeAll(async () => {
    rt = await startClientStack(backend);
    const transport = new StdioClientTransport({
      command: `${ROOT}node_modules/.bin/node`,
      args: ['--import', 'tsx', 'src/mcp/main.ts'],
      cwd: ROOT,
      stderr: 'pipe',
      env: {
        PATH: process.env.PATH ?? '',
        SUPABASE_URL: rt.stack.url,
        SUPABASE_ANON_KEY: rt.stack.config.anonKey,
        PUBDEV_ORG_ID: ACME,
        PUBDEV_AGENT_ID: 'mcp-agent',
        PUBDEV_AGENT_EMAIL: USERS.acmeAgent.email,
        PUBDEV_AGENT_PASSWORD: FIXTURE_PASSWORD,
      },
    });
    transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    mcp = new Client({ name: 'pubdev-test-client', version: '1.0.0' });
    await mcp.connect(transport);
  });
  afterAll(async () => {
    await mcp?.close();
    await rt?.stop();
  });

  const call = async (name: string, args: Record<string, unknown>) =>
    (await mcp.callTool({ name, arguments: args })) as ToolResult;

  it('lists the tools an agent needs', async () => {
    const { tools } = await mcp.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'claim_work',
      'complete_run',
      'fail_run',
      'notify_member',
      'post_team_update',
      'report_progress',
    ]);
    const claim = tools.find((t) => t.name === 'claim_work')!;
    expect(claim.inputSchema.properties).toHaveProperty('leaseSeconds');
  });

  it('claims an item, reports progress and completes it; the dashboard core shows it live', async () => {
    const { core, supabase: west } = await rt.core('acmeWest');
    const { data: queued, error } = await west
      .from('agent_runs')
      .insert({
        organization_id: ACME,
        agent_id: 'mcp-agent',
        status: 'queued',
        current_task: 'Enrich Sunrise Books',
        publisher_id: SUNRISE,
      })
      .select('id')
      .single();
    expect(error).toBeNull();
    const runId = (queued as { id: string }).id;
    await until(core.agents, (runs) => runs.some((r) => r.runId === runId && r.queuePosition === 1), 'queued 1st');

    const claimed = await call('claim_work', {});
    expect(claimed.isError).toBeFalsy();
    expect(claimed.structuredContent).toMatchObject({ runId, status: 'processing', attempt: 1, publisherId: SUNRISE });
    await until(core.agents, (runs) => runs.some((r) => r.runId === runId && r.status === 'processing'), 'processing');

    expect(
      (await call('report_progress', { runId, progress: 40, task: 'Scoring Sunrise Books', etaSeconds: 12 })).isError,
    ).toBeFalsy();
    await until(
      core.agents,
      (runs) =>
        runs.some(
          (r) => r.runId === runId && r.progress?.progress === 40 && r.progress.currentTask === 'Scoring Sunrise Books',
        ),
      'progress 40 %',
    );

    const done = await call('complete_run', { runId, result: { contactsFound: 4, publisher: 'Sunrise Books' } });
    expect(done.structuredContent).toMatchObject({ status: 'completed' });
    const [run] = (
      await until(core.agents, (runs) => runs.some((r) => r.runId === runId && r.status === 'completed'), 'completed')
    ).filter((r) => r.runId === runId);
    expect(run!.result).toEqual({ contactsFound: 4, publisher: 'Sunrise Books' });
    await until(
      core.notifications,
      (n) =>
        n.notifications.some(
          (x) =>
            x.message === 'Agent mcp-agent completed Scoring Sunrise Books: contactsFound: 4, publisher: Sunrise Books',
        ),
      'the requester is notified with the result',
    );
  });

  it('answers a refusal as a tool error with the exact reason', async () => {
    const { supabase: owner } = await rt.core('acmeOwner');
    const { data } = await owner
      .from('agent_runs')
      .insert({ organization_id: ACME, agent_id: 'mcp-agent', status: 'queued', current_task: 'To be cancelled' })
      .select('id')
      .single();
    const runId = (data as { id: string }).id;
    await call('claim_work', {});
    await owner.rpc('cancel_agent_run', { id: runId });
    const late = await call('report_progress', { runId, progress: 10 });
    expect(late.isError).toBe(true);
    expect(late.content[0]!.text).toBe(`report_progress was refused (PT409): agent run ${runId}: it was cancelled`);

    const invalid = await call('report_progress', { runId, progress: 150 });
    expect(invalid.isError).toBe(true);
    expect(invalid.content[0]!.text).toContain('progress');

    // An agent account may only report runs through the bridge, as in the Python SDK.
    const notify = await call('notify_member', { userId: USERS.acmeWest.id, message: 'Hello' });
    expect(notify.isError).toBe(true);
    expect(notify.structuredContent).toMatchObject({ refused: true });
    expect(await call('claim_work', { agentId: 'empty-queue' })).toMatchObject({ structuredContent: { runId: null } });
  });
});
