'use client';
import type { DashboardSession } from '../../lib/session.ts';
import type { PublisherRow } from '../../lib/publishers.ts';
import { AgentMonitor } from './agent-monitor.tsx';
import { ActivityFeed } from './activity-feed.tsx';
import { ConnectionIndicator } from './connection-indicator.tsx';
import { DashboardHeader } from './dashboard-header.tsx';
import { LiveKpis } from './live-kpis.tsx';
import { NotificationsMenu } from './notifications-menu.tsx';
import { PresenceList } from './presence-list.tsx';
import { PublisherList } from './publisher-list.tsx';
import { SimulatePanel } from './simulate-panel.tsx';

export interface TeamDashboardProps {
  readonly session: DashboardSession;
  readonly initialPublishers: readonly PublisherRow[];
}

export function TeamDashboard({ session, initialPublishers }: TeamDashboardProps) {
  const byStatus: Record<string, number> = {};
  for (const p of initialPublishers) byStatus[p.status] = (byStatus[p.status] ?? 0) + 1;
  return (
    <main className="dashboard">
      <DashboardHeader title="Team dashboard" organizationName={session.organizationName} email={session.email}>
        <ConnectionIndicator status="initial" latencyMs={null} lost={false} />
        <NotificationsMenu notifications={[]} unreadCount={0} onMarkRead={() => {}} onMarkAllRead={() => {}} />
      </DashboardHeader>
      <LiveKpis publishersByStatus={byStatus} agentsRunning={0} peopleOnline={0} />
      <div className="grid">
        <PresenceList people={[]} currentUserId={session.userId} names={{ [session.userId]: session.email }} />
        <AgentMonitor runs={[]} />
        <ActivityFeed updates={[]} currentUserId={session.userId} territories={session.territories} territory="" onTerritoryChange={() => {}} />
        <PublisherList publishers={initialPublishers} />
        <SimulatePanel
          context={{
            organizationId: session.organizationId,
            userId: session.userId,
            email: session.email,
            territory: session.territories[0] ?? null,
            publisherId: initialPublishers[0]?.id ?? null,
          }}
        />
      </div>
    </main>
  );
}
