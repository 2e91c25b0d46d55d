'use client';
import { useSyncExternalStore } from 'react';
import type { AgentProgressInput, AgentRun, AgentRunStatus, WriteResult } from '../realtime/index.ts';
import { useRealtimeClient } from './realtime-provider.tsx';

const NO_RUNS: readonly AgentRun[] = Object.freeze([]);

export interface UseAgentStatusResult {
  /** Every agent run of the organisation, current after a reconnect, never going backwards. */
  readonly agentStatuses: readonly AgentRun[];
  /** Writes the agent's run (`task` or `currentTask`); RLS decides who may. */
  readonly updateAgentStatus: (
    agentId: string,
    status: AgentRunStatus,
    progress?: AgentProgressInput,
  ) => Promise<WriteResult>;
}

export function useAgentStatus(): UseAgentStatusResult {
  const { agents } = useRealtimeClient();
  const agentStatuses = useSyncExternalStore(agents.subscribe, agents.getSnapshot, () => NO_RUNS);
  return { agentStatuses, updateAgentStatus: agents.updateAgentStatus };
}
