import type { AgentStatusMessage, ResultSummary } from '../contract/index.ts';
import { timeOf, type AgentRunRow } from './rows.ts';

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
  /** The database's position in its agent's queue (1 = next), for the head of the queue. */
  readonly queuePosition?: number;
  readonly attempt?: number;
  readonly error?: string;
  /** The result summary of a completed run. */
  readonly result?: ResultSummary;
  /** The publisher the run works on; absent for organisation-wide work. */
  readonly publisherId?: string;
  /** Who asked for the work (may cancel or retry it). */
  readonly requestedBy?: string;
  readonly priority?: number;
  /**
   * A processing run whose lease expired: its agent stopped reporting. Computed against the
   * server's clock (the lease left when the server wrote or read the run), never counted as running.
   */
  readonly stalled: boolean;
  /** Monotonic per run: an update with a lower or equal seq is stale and dropped. */
  readonly seq: number;
  readonly updatedAt: string;
}

/** A run as the store holds it: the run, and when (on this client's clock) its lease runs out. */
export interface HeldRun {
  readonly run: AgentRun;
  /** `env.now()` milliseconds past which a processing run is stalled; undefined without a lease. */
  readonly leaseDeadline?: number;
  /**
   * For a live message: the seq of the run's broadcast before it (the database paces progress, so
   * a seq may skip without anything being lost). Undefined for rows and for older messages.
   */
  readonly previousSeq?: number;
}

const ACTIVE: ReadonlySet<AgentRunStatus> = new Set(['idle', 'queued', 'processing']);

/** Whether a run may still change state (queued, running or idle). */
export function isActiveRun(run: Pick<AgentRun, 'status'>): boolean {
  return ACTIVE.has(run.status);
}

/**
 * RATIONALE: the lease is compared on the client's clock without trusting it: what is left of the
 * lease is a difference of two server times (the lease's end minus the moment the server wrote the
 * message, or read the row), added to the moment this client received it.
 */
function deadline(receivedAt: number, leaseEnd: string | null | undefined, serverTime: string): number | undefined {
  if (!leaseEnd) return undefined;
  return receivedAt + (timeOf(leaseEnd) - timeOf(serverTime));
}

export function fromMessage(message: AgentStatusMessage, receivedAt: number): HeldRun {
  const { data } = message;
  const run = compact<AgentRun>({
    runId: data.runId ?? `agent:${data.agentId}`,
    agentId: data.agentId,
    status: data.status,
    progress: data.progress
      ? compact<AgentProgress>({
          progress: data.progress.progress,
          currentTask: data.progress.currentTask,
          estimatedTime: data.progress.estimatedTime ?? undefined,
        })
      : undefined,
    queuePosition: data.queuePosition ?? undefined,
    attempt: data.attempt ?? undefined,
    error: data.error ?? undefined,
    result: data.result ?? undefined,
    publisherId: data.publisherId ?? undefined,
    requestedBy: data.requestedBy ?? undefined,
    priority: data.priority ?? undefined,
    stalled: false,
    seq: message.seq,
    updatedAt: message.timestamp,
  });
  return compact<HeldRun>({
    run,
    leaseDeadline: deadline(receivedAt, data.leaseExpiresAt, message.timestamp),
    previousSeq: message.previousSeq ?? undefined,
  });
}

export function fromRow(row: AgentRunRow, receivedAt: number): HeldRun {
  const run = compact<AgentRun>({
    runId: row.id,
    agentId: row.agent_id,
    status: row.status,
    progress:
      row.progress !== null || row.current_task !== null
        ? compact<AgentProgress>({
            progress: row.progress ?? 0,
            currentTask: row.current_task ?? '',
            estimatedTime: row.estimated_time ?? undefined,
          })
        : undefined,
    queuePosition: row.queue_position ?? undefined,
    attempt: row.attempt ?? undefined,
    error: row.error ?? undefined,
    result: row.result ?? undefined,
    publisherId: row.publisher_id ?? undefined,
    requestedBy: row.requested_by ?? undefined,
    priority: row.priority,
    stalled: false,
    seq: row.seq,
    updatedAt: new Date(timeOf(row.updated_at)).toISOString(),
  });
  const leaseDeadline = row.stalled ? receivedAt - 1 : deadline(receivedAt, row.lease_expires_at, row.read_at);
  return compact<HeldRun>({ run, leaseDeadline });
}

/** The run as of `now`: the same object while its stalled flag holds, a copy when it flips. */
export function runAt(held: HeldRun, now: number): AgentRun {
  const stalled = held.run.status === 'processing' && held.leaseDeadline !== undefined && now >= held.leaseDeadline;
  return stalled === held.run.stalled ? held.run : Object.freeze({ ...held.run, stalled });
}

/** Drops `undefined` properties (exactOptionalPropertyTypes) and freezes. */
function compact<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return Object.freeze(out) as T;
}
