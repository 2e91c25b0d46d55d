'use client';
import { useMemo } from 'react';
import type { DashboardSession } from '../../lib/session.ts';
import type { AgentRun } from '../../react/index.ts';
import type { useToast } from '../shell/toast-provider.tsx';
import type { AgentRunControls } from './agent-run-item.tsx';

type Control = (runId: string) => Promise<{ ok: true } | { ok: false; error: { message: string } }>;

/**
 * Cancel and retry for the dashboard: shown to owners, admins, agent accounts and a run's
 * requester (the database checks the same: cancel_agent_run, retry_agent_run); a refusal is a toast.
 */
export function useAgentControls(
  session: Pick<DashboardSession, 'userId' | 'role'>,
  cancelRun: Control,
  retryRun: Control,
  toast: ReturnType<typeof useToast>,
): AgentRunControls {
  const { userId, role } = session;
  return useMemo(() => {
    const run = async (what: string, control: Control, target: AgentRun) => {
      const result = await control(target.runId);
      if (!result.ok)
        toast({ message: `Could not ${what} ${target.agentId}: ${result.error.message}`, level: 'error' });
    };
    return {
      canControl: (target) => role !== 'member' || target.requestedBy === userId,
      onCancel: (target) => void run('cancel', cancelRun, target),
      onRetry: (target) => void run('retry', retryRun, target),
    };
  }, [userId, role, cancelRun, retryRun, toast]);
}
