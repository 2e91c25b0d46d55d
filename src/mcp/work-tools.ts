import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { resultSummarySchema, type TablesUpdate } from '../contract/index.ts';
import type { AgentSession } from './agent-session.ts';
import type { McpConfig } from './config.ts';
import { answer, refused } from './tool-result.ts';

/*
 * The work tools: claim the next item of a queue, report progress, complete or fail a run. Each is
 * one call as the agent account (RLS decides), with the bounds the contract and the database set;
 * the run lifecycle (docs/data-model.md) refuses what does not fit, e.g. progress on a cancelled run.
 */

const runId = z.uuid().describe('The run, as claim_work returned it');
const RUN_COLUMNS =
  'id,agent_id,status,attempt,current_task,progress,publisher_id,requested_by,priority,input,lease_expires_at,queue_position';

interface RunRow {
  readonly id: string;
  readonly agent_id: string;
  readonly status: string;
  readonly attempt: number;
  readonly current_task: string | null;
  readonly progress: number | null;
  readonly publisher_id: string | null;
  readonly requested_by: string | null;
  readonly priority: number;
  readonly input: Record<string, unknown>;
  readonly lease_expires_at: string | null;
}

function describeRun(row: RunRow): Record<string, unknown> {
  return {
    runId: row.id,
    agentId: row.agent_id,
    status: row.status,
    attempt: row.attempt,
    task: row.current_task,
    progress: row.progress,
    publisherId: row.publisher_id,
    requestedBy: row.requested_by,
    priority: row.priority,
    input: row.input,
    leaseExpiresAt: row.lease_expires_at,
  };
}

export function registerWorkTools(server: McpServer, session: AgentSession, config: McpConfig): void {
  const runs = () => session.supabase.from('agent_runs');
  const update = async (id: string, columns: TablesUpdate<'agent_runs'>) =>
    runs().update(columns).eq('id', id).select(RUN_COLUMNS).single<RunRow>();

  server.registerTool(
    'claim_work',
    {
      title: 'Claim work',
      description:
        'Takes the next item of an agent queue (highest priority, then oldest) and starts it: the run becomes ' +
        'processing with a lease that each report renews. Returns the run (its task, publisher and input), or no run when the queue is empty.',
      inputSchema: {
        agentId: z.string().min(1).max(200).optional().describe(`The queue; default ${config.PUBDEV_AGENT_ID}`),
        leaseSeconds: z.int().min(1).max(3600).optional().describe('Report at least this often; default 60'),
      },
    },
    async ({ agentId, leaseSeconds }) => {
      const queue = agentId ?? config.PUBDEV_AGENT_ID;
      const { data, error } = await session.supabase.rpc('claim_next_work', {
        organization_id: config.PUBDEV_ORG_ID,
        agent_id: queue,
        lease_seconds: leaseSeconds ?? config.PUBDEV_LEASE_SECONDS,
      });
      if (error) return refused('claim_work', error);
      const row = (Array.isArray(data) ? data[0] : data) as RunRow | undefined;
      if (!row) return answer(`The queue of ${queue} is empty.`, { runId: null, agentId: queue });
      return answer(
        `Claimed run ${row.id}: ${row.current_task ?? 'no task'} (attempt ${row.attempt}).`,
        describeRun(row),
      );
    },
  );

  server.registerTool(
    'report_progress',
    {
      title: 'Report progress',
      description:
        'Reports progress on a claimed run (renews its lease). Refused when the run was cancelled or is no longer yours: then stop working on it.',
      inputSchema: {
        runId,
        progress: z.number().min(0).max(100).describe('Percent done'),
        task: z.string().min(1).max(500).optional().describe('What the agent is doing now'),
        etaSeconds: z.number().nonnegative().max(86_400).optional().describe('Seconds left, estimated'),
      },
    },
    async ({ runId: id, progress, task, etaSeconds }) => {
      const { data, error } = await update(id, {
        progress,
        ...(task !== undefined ? { current_task: task } : {}),
        estimated_time: etaSeconds === undefined ? null : Math.ceil(etaSeconds),
      });
      if (error) return refused('report_progress', error);
      return answer(`Run ${id}: ${progress} %.`, describeRun(data));
    },
  );

  server.registerTool(
    'complete_run',
    {
      title: 'Complete a run',
      description:
        'Completes a claimed run with a result summary (a flat object of at most 20 entries); whoever asked for the work is notified with it.',
      inputSchema: { runId, result: resultSummarySchema.optional().describe('What the run found, in short') },
    },
    async ({ runId: id, result }) => {
      const { data, error } = await update(id, {
        status: 'completed',
        progress: 100,
        estimated_time: 0,
        error: null,
        result: result ?? null,
      });
      if (error) return refused('complete_run', error);
      return answer(`Run ${id} completed.`, describeRun(data));
    },
  );

  server.registerTool(
    'fail_run',
    {
      title: 'Fail a run',
      description:
        'Fails a claimed run with the reason. With retry, the run goes back to its queue as the next attempt instead (for a transient problem).',
      inputSchema: {
        runId,
        error: z.string().min(1).max(2000).describe('Why it failed'),
        retry: z.boolean().optional().describe('Queue it again as the next attempt'),
      },
    },
    async ({ runId: id, error: reason, retry }) => {
      const current = await runs().select(RUN_COLUMNS).eq('id', id).single<RunRow>();
      if (current.error) return refused('fail_run', current.error);
      const { data, error } = await update(
        id,
        retry
          ? { status: 'queued', attempt: current.data.attempt + 1, error: reason, estimated_time: null }
          : { status: 'error', error: reason, estimated_time: null },
      );
      if (error) return refused('fail_run', error);
      return answer(
        retry ? `Run ${id} is queued again as attempt ${data.attempt}.` : `Run ${id} failed.`,
        describeRun(data),
      );
    },
  );
}
