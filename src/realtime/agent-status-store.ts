import { orgTopic, type AgentStatusMessage } from '../contract/index.ts';
import type { CoreContext } from './core-context.ts';
import { createPersistedStream } from './persisted-stream.ts';
import { RealtimeError } from './realtime-error.ts';
import { AGENT_RUN_COLUMNS, agentRunRowSchema, timeOf, type AgentRunRow } from './rows.ts';
import type { ReadableStore } from './store.ts';

export type AgentRunStatus = AgentStatusMessage['data']['status'];

export interface AgentProgress {
  readonly progress: number;
  readonly currentTask: string;
  readonly estimatedTime?: number;
}

/** One agent run of the organisation, as the dashboard shows it. */
export interface AgentRun {
  readonly runId: string;
  readonly agentId: string;
  readonly status: AgentRunStatus;
  readonly progress?: AgentProgress;
  readonly queuePosition?: number;
  readonly attempt?: number;
  readonly error?: string;
  /** Monotonic per run: an update with a lower or equal seq is stale and dropped. */
  readonly seq: number;
  readonly updatedAt: string;
}

/** `task` is the seed's name for `currentTask`; both are accepted. */
export type AgentProgressInput = { readonly progress: number; readonly estimatedTime?: number } & (
  | { readonly currentTask: string; readonly task?: string }
  | { readonly task: string; readonly currentTask?: string }
);

export type WriteResult = { readonly ok: true } | { readonly ok: false; readonly error: RealtimeError };

export interface AgentStatusStore extends ReadableStore<readonly AgentRun[]> {
  /** Writes the agent's latest run of this organisation (a new run when it has none); RLS decides. */
  updateAgentStatus(agentId: string, status: AgentRunStatus, progress?: AgentProgressInput): Promise<WriteResult>;
}

/** Runs kept in memory: far above any dashboard's agents, low enough that a runaway producer cannot grow the tab. */
const MAX_AGENT_RUNS = 1000;

export function createAgentStatusStore(ctx: CoreContext): AgentStatusStore {
  const runs = new Map<string, AgentRun>();
  const writes = new Map<string, Promise<WriteResult>>();
  const createdRuns = new Map<string, string>();
  // The ordering key: the newest `updated_at` seen, live or read.
  let cursor: string | null = null;

  const stream = createPersistedStream(ctx, {
    backfill: {
      table: 'agent_runs',
      columns: AGENT_RUN_COLUMNS,
      schema: agentRunRowSchema,
      orderBy: 'updated_at',
      ascending: true,
      limit: MAX_AGENT_RUNS,
      operation: 'agent_runs backfill',
    },
    build: () => Object.freeze([...runs.values()]),
    listen: (topics) => topics.join(orgTopic(ctx.organizationId)),
    listener: (topic) => ({
      onBroadcast: (event, payload) => {
        const message = ctx.accept(topic, event, payload);
        if (message?.type === 'agent_status') apply(fromMessage(message), true);
      },
    }),
    catchUp: async (read) => {
      for (const row of (await read(cursor)) ?? []) apply(fromRow(row), false);
    },
    onAccessChange: (change) => {
      if (change.kind === 'removed') runs.clear();
    },
  });

  /** The merge rule: a run's state only moves forward by `seq`. */
  const apply = (run: AgentRun, live: boolean): void => {
    const current = runs.get(run.runId);
    if (current && current.seq >= run.seq) return; // stale or duplicate
    // A live seq that skips one means Realtime dropped something: other streams may have lost messages too.
    if (live && current && run.seq > current.seq + 1) ctx.hintGap();
    runs.set(run.runId, run);
    if (cursor === null || timeOf(run.updatedAt) > timeOf(cursor)) cursor = run.updatedAt;
    if (runs.size > MAX_AGENT_RUNS) evictOldest();
    stream.changed();
  };

  const evictOldest = (): void => {
    let oldest: AgentRun | undefined;
    for (const run of runs.values()) if (!oldest || timeOf(run.updatedAt) < timeOf(oldest.updatedAt)) oldest = run;
    if (oldest) runs.delete(oldest.runId);
  };

  return {
    subscribe: stream.subscribe,
    getSnapshot: stream.getSnapshot,
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
    const latestId = createdRuns.get(agentId) ?? [...runs.values()].filter((r) => r.agentId === agentId).at(-1)?.runId;
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

function fromMessage(message: AgentStatusMessage): AgentRun {
  const { data } = message;
  return compact({
    runId: data.runId ?? `agent:${data.agentId}`,
    agentId: data.agentId,
    status: data.status,
    progress: data.progress
      ? compact({
          progress: data.progress.progress,
          currentTask: data.progress.currentTask,
          estimatedTime: data.progress.estimatedTime ?? undefined,
        })
      : undefined,
    queuePosition: data.queuePosition ?? undefined,
    attempt: data.attempt ?? undefined,
    error: data.error ?? undefined,
    seq: message.seq,
    updatedAt: message.timestamp,
  });
}

function fromRow(row: AgentRunRow): AgentRun {
  return compact({
    runId: row.id,
    agentId: row.agent_id,
    status: row.status,
    progress:
      row.progress !== null || row.current_task !== null
        ? compact({
            progress: row.progress ?? 0,
            currentTask: row.current_task ?? '',
            estimatedTime: row.estimated_time ?? undefined,
          })
        : undefined,
    queuePosition: row.queue_position ?? undefined,
    attempt: row.attempt ?? undefined,
    error: row.error ?? undefined,
    seq: row.seq,
    updatedAt: new Date(timeOf(row.updated_at)).toISOString(),
  });
}

/** Drops `undefined` properties (exactOptionalPropertyTypes) and freezes. */
function compact<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return Object.freeze(out) as T;
}
