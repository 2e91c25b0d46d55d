'use client';
import { useEffect, useMemo, useState } from 'react';
import type { DashboardSession } from '../../lib/session.ts';
import {
  useAccess,
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
import { AccessNotices, NoAccess } from '../people/access-notices.tsx';
import { MembersPanel } from '../people/members-panel.tsx';
import { useNames } from '../people/use-names.ts';
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
  /** The organisation's display names by user id, read by the server for the first paint. */
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

function DashboardBody(props: TeamDashboardProps) {
  const { session } = props;
  const access = useAccess();
  if (access.status === 'removed') {
    return (
      <main className="dashboard">
        <DashboardHeader title="Team dashboard" session={session}>
          {null}
        </DashboardHeader>
        <NoAccess organizationName={access.organizationName ?? session.organizationName} />
      </main>
    );
  }
  const live = access.status === 'member' && access.role !== null;
  return (
    <LiveDashboard
      {...props}
      role={live ? access.role! : session.role}
      myTerritories={live ? access.territories : session.territories}
      rightsChanged={access.notices.length > 0}
    />
  );
}

function LiveDashboard({
  session,
  initialPublishers,
  names,
  role,
  myTerritories,
  rightsChanged,
}: TeamDashboardProps & {
  readonly role: DashboardSession['role'];
  /** The territories the person is limited to now (empty: all). */
  readonly myTerritories: readonly string[];
  /** The rights changed since the server rendered: its first read is out of date. */
  readonly rightsChanged: boolean;
}) {
  const toast = useToast();
  const nameOf = useNames(names);
  const [territory, setTerritory] = useState('');
  const { userSnapshots } = useUserSnapshots();
  const { runs, runningCount, cancelRun, retryRun } = useAgentStatus();
  const agentControls = useAgentControls(session, cancelRun, retryRun, toast);
  const { updates } = useTeamUpdates();
  const { notifications, unreadCount, markRead, markAllRead } = useNotifications({
    onNotification: (n) => toast({ id: `notification-${n.id}`, message: n.message, level: n.level }),
  });
  const { publishers: livePublishers } = usePublishers();
  // The server's first read shows until the live list has loaded, and never after the rights changed.
  const publishers: readonly PublisherView[] =
    livePublishers.length > 0 || rightsChanged ? livePublishers : initialPublishers;
  useActivityReporter({ action: 'Viewing the team dashboard', territory: myTerritories[0] });

  const territories = useMemo(() => {
    const known = new Set(myTerritories);
    for (const p of publishers) if (p.territory) known.add(p.territory);
    for (const u of updates) if (u.territory) known.add(u.territory);
    return [...known].sort();
  }, [myTerritories, publishers, updates]);

  const publishersByStatus = useMemo(() => {
    const counts: Record<string, number> = {};
    for (const p of publishers) counts[p.status] = (counts[p.status] ?? 0) + 1;
    return counts;
  }, [publishers]);

  useEffect(() => {
    document.title = unreadCount > 0 ? `(${unreadCount}) PubDev — Team dashboard` : 'PubDev — Team dashboard';
  }, [unreadCount]);

  return (
    <main className="dashboard">
      <DashboardHeader title="Team dashboard" session={session}>
        <LiveConnectionIndicator />
        <NotificationsMenu
          notifications={notifications}
          unreadCount={unreadCount}
          onMarkRead={(id) => void markRead(id)}
          onMarkAllRead={() => void markAllRead()}
        />
      </DashboardHeader>
      <AccessNotices />
      <LiveKpis
        publishersByStatus={publishersByStatus}
        agentsRunning={runningCount}
        peopleOnline={userSnapshots.filter((person) => person.status !== 'offline').length}
      />
      <div className="grid">
        <UserSnapshotList people={userSnapshots} currentUserId={session.userId} nameOf={nameOf} />
        <AgentMonitor runs={runs} controls={agentControls} />
        <TeamUpdateFeed
          updates={updates}
          nameOf={nameOf}
          territories={territories}
          territory={territory}
          onTerritoryChange={setTerritory}
        />
        <PublisherList publishers={publishers} />
        <MembersPanel organizationId={session.organizationId} viewerId={session.userId} viewerRole={role} />
        <SimulatePanel
          context={{
            userId: session.userId,
            displayName: session.displayName,
            territory: myTerritories[0] ?? null,
            publisherId: publishers[0]?.id ?? null,
          }}
        />
      </div>
    </main>
  );
}
