/**
 * PubDev's seed components, written against `@/lib/websocket/hooks` exactly as the seed's examples
 * use it (including the seed's `task` for `currentTask`). They must compile and run unchanged.
 */
import { useEffect } from 'react';
import {
  useAgentStatus,
  useConnectionStatus,
  useTeamUpdates,
  useUserSnapshots,
  useWebSocket,
  type RealtimeMessage,
} from '@/lib/websocket/hooks';

export function TeamActivity({ action, onMessage }: { action: string; onMessage: (m: RealtimeMessage) => void }) {
  const { isConnected, sendMessage } = useWebSocket({ onMessage: (m) => onMessage(m) });
  const { userSnapshots, updateActivity } = useUserSnapshots();
  useEffect(() => {
    updateActivity({ action, timestamp: new Date().toISOString(), territory: 'US_West' });
  }, [action, updateActivity]);
  return (
    <section data-connected={String(isConnected)} data-can-send={String(typeof sendMessage === 'function')}>
      {userSnapshots.map((s) => (
        <div key={s.userId}>
          {s.userId}: {s.action}
        </div>
      ))}
    </section>
  );
}

export function AgentBoard({ agentId }: { agentId: string }) {
  const { agentStatuses, updateAgentStatus } = useAgentStatus();
  useEffect(() => {
    void updateAgentStatus(agentId, 'processing', { progress: 0, task: 'Initializing...' });
  }, [agentId, updateAgentStatus]);
  return (
    <section>
      {agentStatuses.map((a) => (
        <div key={a.agentId}>
          {a.agentId}: {a.status} {a.progress && a.progress.progress}%
        </div>
      ))}
    </section>
  );
}

/** The seed's AgentMonitor: the status of every agent, one row per agent, keyed by its id. */
export function AgentMonitor() {
  const { agentStatuses } = useAgentStatus();
  return (
    <section aria-label="Agents">
      {agentStatuses.map((agent) => (
        <div key={agent.agentId}>
          {agent.agentId}: {agent.status} {agent.progress && agent.progress.progress}%
        </div>
      ))}
    </section>
  );
}

/** A territory's team feed with the connection status, as a dashboard panel uses them. */
export function TerritoryFeed({ territory }: { territory: string }) {
  const { status } = useConnectionStatus();
  const { updates } = useTeamUpdates({ territory });
  return (
    <section aria-label={`Feed of ${territory}`} data-status={status}>
      {updates.map((update) => (
        <div key={update.id}>
          {update.territory ?? 'org-wide'}: {update.message}
        </div>
      ))}
    </section>
  );
}
