'use client';
import { useSyncExternalStore } from 'react';
import {
  countRunning,
  latestRunPerAgent,
  type AgentProgressInput,
  type AgentRun,
  type AgentRunStatus,
  type WriteResult,
} from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';

const NO_RUNS: readonly AgentRun[] = Object.freeze([]);

export interface UseAgentStatusResult {
  /** One entry per agent: its latest run (`agentId`, `status`, `progress`, …); `agentId` is a unique key. */
  readonly agentStatuses: readonly AgentRun[];
  /** Every run the user may see, current after a reconnect, never going backwards (`runId` is a unique key). */
  readonly runs: readonly AgentRun[];
  /** Runs processing now: stalled runs (no report before their lease ran out) do not count. */
  readonly runningCount: number;
  /** Writes the agent's run (`task` or `currentTask`); RLS decides who may. */
  readonly updateAgentStatus: (
    agentId: string,
    status: AgentRunStatus,
    progress?: AgentProgressInput,
  ) => Promise<WriteResult>;
  /** Cancels a queued or running run: owners, admins, agent accounts and its requester may. */
  readonly cancelRun: (runId: string) => Promise<WriteResult>;
  /** Queues a failed or stalled run again as its next attempt: the same people may. */
  readonly retryRun: (runId: string) => Promise<WriteResult>;
}

export function useAgentStatus(): UseAgentStatusResult {
  const { agents } = useRealtimeClient();
  const runs = useSyncExternalStore(agents.subscribe, agents.getSnapshot, () => NO_RUNS);
  return {
    agentStatuses: latestRunPerAgent(runs),
    runs,
    runningCount: countRunning(runs),
    updateAgentStatus: agents.updateAgentStatus,
    cancelRun: agents.cancelRun,
    retryRun: agents.retryRun,
  };
}
