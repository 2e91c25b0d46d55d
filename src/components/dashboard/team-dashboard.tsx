'use client';
import { useEffect, useMemo, useState } from 'react';
import type { DashboardSession } from '../../lib/session.ts';
import {
  useAgentStatus,
  useNotifications,
  usePublishers,
  useTeamUpdates,
  useUserSnapshots,
} from '../../react/index.ts';
import { AgentMonitor } from '../agent-status/agent-monitor.tsx';
import { useAgentControls } from '../agent-status/use-agent-controls.ts';
import { LiveConnectionIndicator } from '../connection/live-connection-indicator.tsx';
import { NotificationsMenu } from '../notifications/notifications-menu.tsx';
import { PublisherList, type PublisherView } from '../publishers/publisher-list.tsx';
import { DashboardHeader } from '../shell/dashboard-header.tsx';
import { RealtimeShell } from '../shell/realtime-shell.tsx';
import { useToast } from '../shell/toast-provider.tsx';
import { SimulatePanel } from '../simulate/simulate-panel.tsx';
import { TeamUpdateFeed } from '../team-updates/team-update-feed.tsx';
import { useActivityReporter } from '../user-snapshots/use-activity-reporter.ts';
import { UserSnapshotList } from '../user-snapshots/user-snapshot-list.tsx';
import { LiveKpis } from './live-kpis.tsx';

export interface TeamDashboardProps {
  readonly session: DashboardSession;
  /** The server's first read, shown until the live list has loaded (no empty flash, no layout jump). */
  readonly initialPublishers: readonly PublisherView[];
  /** Display names by user id that the server could tell (the fixture users against a local stack). */
  readonly names: Readonly<Record<string, string>>;
}

/** The team dashboard: presence, agents, activity, notifications, publishers and live KPIs. */
export function TeamDashboard(props: TeamDashboardProps) {
  return (
    <RealtimeShell organizationId={props.session.organizationId}>
      <DashboardBody {...props} />
    </RealtimeShell>
  );
}

function DashboardBody({ session, initialPublishers, names }: TeamDashboardProps) {
  const toast = useToast();
  const [territory, setTerritory] = useState('');
  const { userSnapshots } = useUserSnapshots();
  const { runs, runningCount, cancelRun, retryRun } = useAgentStatus();
  const agentControls = useAgentControls(session, cancelRun, retryRun, toast);
  const { updates } = useTeamUpdates();
  const { notifications, unreadCount, markRead, markAllRead } = useNotifications({
    onNotification: (n) => toast({ id: `notification-${n.id}`, message: n.message, level: n.level }),
  });
  const { publishers: livePublishers } = usePublishers();
  const publishers: readonly PublisherView[] = livePublishers.length > 0 ? livePublishers : initialPublishers;
  useActivityReporter({ action: 'Viewing the team dashboard', territory: session.territories[0] });

  const territories = useMemo(() => {
    const known = new Set(session.territories);
    for (const p of publishers) if (p.territory) known.add(p.territory);
    for (const u of updates) if (u.territory) known.add(u.territory);
    return [...known].sort();
  }, [session.territories, publishers, updates]);

  const publishersByStatus = useMemo(() => {
    const counts: Record<string, number> = {};
    for (const p of publishers) counts[p.status] = (counts[p.status] ?? 0) + 1;
    return counts;
  }, [publishers]);

  const allNames = useMemo(
    () => ({ ...names, [session.userId]: session.email }),
    [names, session.userId, session.email],
  );

  useEffect(() => {
    document.title = unreadCount > 0 ? `(${unreadCount}) PubDev — Team dashboard` : 'PubDev — Team dashboard';
  }, [unreadCount]);

  return (
    <main className="dashboard">
      <DashboardHeader title="Team dashboard" organizationName={session.organizationName} email={session.email}>
        <LiveConnectionIndicator />
        <NotificationsMenu
          notifications={notifications}
          unreadCount={unreadCount}
          onMarkRead={(id) => void markRead(id)}
          onMarkAllRead={() => void markAllRead()}
        />
      </DashboardHeader>
      <LiveKpis
        publishersByStatus={publishersByStatus}
        agentsRunning={runningCount}
        peopleOnline={userSnapshots.filter((person) => person.status !== 'offline').length}
      />
      <div className="grid">
        <UserSnapshotList people={userSnapshots} currentUserId={session.userId} names={allNames} />
        <AgentMonitor runs={runs} controls={agentControls} />
        <TeamUpdateFeed
          updates={updates}
          territories={territories}
          territory={territory}
          onTerritoryChange={setTerritory}
        />
        <PublisherList publishers={publishers} />
        <SimulatePanel
          context={{
            userId: session.userId,
            email: session.email,
            territory: session.territories[0] ?? null,
            publisherId: publishers[0]?.id ?? null,
          }}
        />
      </div>
    </main>
  );
}
