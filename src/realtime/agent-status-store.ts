import { orgTopic } from '../contract/index.ts';
import {
  fromMessage,
  fromRow,
  isActiveRun,
  runAt,
  type AgentRun,
  type AgentRunStatus,
  type HeldRun,
} from './agent-run.ts';
import type { CoreContext } from './core-context.ts';
import type { TimerHandle } from './environment.ts';
import { createPersistedStream, readRows, type BackfillReader } from './persisted-stream.ts';
import { RealtimeError } from './realtime-error.ts';
import { AGENT_RUN_COLUMNS, agentRunRowSchema, timeOf, type AgentRunRow } from './rows.ts';
import type { ReadableStore } from './store.ts';

export type { AgentProgress, AgentRun, AgentRunStatus } from './agent-run.ts';

/** `task` is the seed's name for `currentTask`; both are accepted. */
export type AgentProgressInput = { readonly progress: number; readonly estimatedTime?: number } & (
  | { readonly currentTask: string; readonly task?: string }
  | { readonly task: string; readonly currentTask?: string }
);

export type WriteResult = { readonly ok: true } | { readonly ok: false; readonly error: RealtimeError };

export interface AgentStatusStore extends ReadableStore<readonly AgentRun[]> {
  /** Writes the agent's current run of this organisation (a new run when it has none); RLS decides. */
  updateAgentStatus(agentId: string, status: AgentRunStatus, progress?: AgentProgressInput): Promise<WriteResult>;
  /** Cancels a queued or running run (owners, admins, agent accounts and its requester may). */
  cancelRun(runId: string): Promise<WriteResult>;
  /** Queues a failed or stalled run again as its next attempt (the same people may). */
  retryRun(runId: string): Promise<WriteResult>;
}

/** Runs kept in memory: far above any dashboard's agents, low enough that a runaway producer cannot grow the tab. */
const MAX_AGENT_RUNS = 1000;
/** The first load: active runs (all of them, up to this many), then this many of the newest finished ones. */
const FIRST_LOAD_ACTIVE = 500;
const FIRST_LOAD_FINISHED = 200;
const ACTIVE_STATUSES: readonly AgentRunStatus[] = ['idle', 'queued', 'processing'];

export function createAgentStatusStore(ctx: CoreContext): AgentStatusStore {
  const held = new Map<string, { held: HeldRun; view: AgentRun }>();
  const writes = new Map<string, Promise<WriteResult>>();
  const createdRuns = new Map<string, string>();
  let leaseTimer: TimerHandle | undefined;

  const stream = createPersistedStream(ctx, {
    backfill: {
      table: 'agent_run_states',
      columns: AGENT_RUN_COLUMNS,
      schema: agentRunRowSchema,
      orderBy: 'updated_at',
      ascending: true,
      limit: MAX_AGENT_RUNS,
      operation: 'agent_runs backfill',
    },
    build,
    // Organisation-wide runs come on the org topic, runs about a publisher on its territory's topic.
    listen: (topics) => {
      topics.join(orgTopic(ctx.organizationId));
      topics.joinTerritoryTopics();
    },
    listener: (topic) => ({
      onBroadcast: (event, payload) => {
        const message = ctx.accept(topic, event, payload);
        if (message?.type === 'agent_status') apply(fromMessage(message, ctx.env.now()), true);
      },
    }),
    catchUp: async (read) => {
      if (!read.hasCursor) {
        await firstLoad(read);
        return;
      }
      const rows = await read.since();
      const at = ctx.env.now();
      for (const row of rows ?? []) apply(fromRow(row, at), false);
    },
    onAccessChange: (change) => {
      if (change.kind === 'removed') held.clear();
    },
  });

  /** Current runs first: the active ones, then the newest finished ones (not the oldest of a long history). */
  async function firstLoad(read: BackfillReader<AgentRunRow>): Promise<void> {
    const query = () =>
      ctx.supabase.from('agent_run_states').select(AGENT_RUN_COLUMNS).eq('organization_id', ctx.organizationId);
    const active = await readRows(
      ctx,
      'agent_runs backfill',
      agentRunRowSchema,
      query().in('status', ACTIVE_STATUSES).order('updated_at', { ascending: false }).limit(FIRST_LOAD_ACTIVE),
    );
    applyRows(active);
    const finished = await readRows(
      ctx,
      'agent_runs backfill',
      agentRunRowSchema,
      query()
        .not('status', 'in', `(${ACTIVE_STATUSES.join(',')})`)
        .order('updated_at', { ascending: false })
        .limit(FIRST_LOAD_FINISHED),
    );
    applyRows(finished);
    // A failed read leaves the cursor unset, so the next catch-up tries the first load again.
    if (active !== null && finished !== null) read.advance([...active, ...finished]);
  }

  function applyRows(rows: AgentRunRow[] | null): void {
    const at = ctx.env.now();
    for (const row of rows ?? []) apply(fromRow(row, at), false);
  }

  /** The merge rule: a run's state only moves forward by `seq`. */
  function apply(next: HeldRun, live: boolean): void {
    const { run } = next;
    const current = held.get(run.runId)?.held.run;
    if (current && current.seq >= run.seq) return; // stale or duplicate
    // A live message whose previous broadcast we never saw means Realtime dropped it: other streams
    // may have lost messages too. A seq that merely skips is progress the database held back
    // (agent progress is paced; the row has it), unless the message predates `previousSeq`.
    if (live && current && run.seq > current.seq + 1 && current.seq < (next.previousSeq ?? run.seq - 1))
      ctx.noticeDrop(`agent_status of run ${run.runId}`);
    held.set(run.runId, { held: next, view: run });
    if (held.size > MAX_AGENT_RUNS) evictOldest();
    stream.changed();
  }

  function evictOldest(): void {
    let oldest: AgentRun | undefined;
    for (const { view } of held.values()) {
      if (isActiveRun(view)) continue;
      if (!oldest || timeOf(view.updatedAt) < timeOf(oldest.updatedAt)) oldest = view;
    }
    if (oldest) held.delete(oldest.runId);
  }

  /** The snapshot as of now, and a timer for the next lease to run out (a run turning stalled is a change). */
  function build(): readonly AgentRun[] {
    const now = ctx.env.now();
    let nextDeadline = Infinity;
    const runs: AgentRun[] = [];
    for (const entry of held.values()) {
      const view = runAt(entry.held, now);
      if (view.stalled !== entry.view.stalled) entry.view = view;
      runs.push(entry.view);
      const deadline = entry.held.leaseDeadline;
      if (entry.view.status === 'processing' && deadline !== undefined && deadline > now)
        nextDeadline = Math.min(nextDeadline, deadline);
    }
    if (leaseTimer !== undefined) ctx.env.timers.clearTimeout(leaseTimer);
    leaseTimer =
      nextDeadline === Infinity
        ? undefined
        : ctx.env.timers.setTimeout(() => stream?.changed(), nextDeadline - now + 1);
    return Object.freeze(runs);
  }

  const control = async (operation: 'cancelRun' | 'retryRun', runId: string): Promise<WriteResult> => {
    const fn = operation === 'cancelRun' ? 'cancel_agent_run' : 'retry_agent_run';
    const { error } = await ctx.supabase.rpc(fn, { id: runId });
    if (error) return { ok: false, error: RealtimeError.from({ kind: 'request', operation }, error) };
    stream.catchUp.request();
    return { ok: true };
  };

  return {
    subscribe: stream.subscribe,
    getSnapshot: stream.getSnapshot,
    cancelRun: (runId) => control('cancelRun', runId),
    retryRun: (runId) => control('retryRun', runId),
    updateAgentStatus(agentId, status, progress) {
      // One write at a time per agent: a second call (StrictMode's second effect) must update the
      // run the first one created, not start another.
      const previous = writes.get(agentId) ?? Promise.resolve();
      const next = previous.then(() => write(agentId, status, progress));
      writes.set(agentId, next);
      void next.finally(() => {
        if (writes.get(agentId) === next) writes.delete(agentId);
      });
      return next;
    },
  };

  async function write(
    agentId: string,
    status: AgentRunStatus,
    progress: AgentProgressInput | undefined,
  ): Promise<WriteResult> {
    // The agent's run that can still change; a finished one is history, so a new report starts a new run.
    const known = createdRuns.get(agentId);
    const latestId =
      known && isActiveRun(held.get(known)?.view ?? { status: 'idle' })
        ? known
        : [...held.values()].map((e) => e.view).findLast((r) => r.agentId === agentId && isActiveRun(r))?.runId;
    const columns = {
      agent_id: agentId,
      status,
      ...(progress
        ? {
            progress: progress.progress,
            current_task: progress.currentTask ?? progress.task ?? '',
            estimated_time: progress.estimatedTime ?? null,
          }
        : {}),
    };
    if (latestId) {
      const { error } = await ctx.supabase.from('agent_runs').update(columns).eq('id', latestId);
      if (error)
        return { ok: false, error: RealtimeError.from({ kind: 'request', operation: 'updateAgentStatus' }, error) };
    } else {
      const { data, error } = await ctx.supabase
        .from('agent_runs')
        .insert({ ...columns, organization_id: ctx.organizationId })
        .select('id')
        .single();
      if (error)
        return { ok: false, error: RealtimeError.from({ kind: 'request', operation: 'updateAgentStatus' }, error) };
      const id = (data as { id?: unknown } | null)?.id;
      if (typeof id === 'string') createdRuns.set(agentId, id);
    }
    stream.catchUp.request();
    return { ok: true };
  }
}
