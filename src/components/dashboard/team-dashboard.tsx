'use client';
import { useEffect, useMemo, useState } from 'react';
import type { DashboardSession } from '../../lib/session.ts';
import {
  useAgentStatus,
  useCampaigns,
  useKpis,
  useNotifications,
  usePeople,
  usePublishers,
  useTeamUpdates,
  useUserSnapshots,
  type Kpis,
} from '../../react/index.ts';
import { AgentMonitor } from '../agent-status/agent-monitor.tsx';
import { CampaignPanel } from '../campaigns/campaign-panel.tsx';
import { LiveConnectionIndicator } from '../connection/live-connection-indicator.tsx';
import { NotificationsMenu } from '../notifications/notifications-menu.tsx';
import { PinnedNotifications } from '../notifications/pinned-notifications.tsx';
import { PublisherList, type PublisherView } from '../publishers/publisher-list.tsx';
import { DashboardHeader } from '../shell/dashboard-header.tsx';
import { RealtimeShell } from '../shell/realtime-shell.tsx';
import { useToast } from '../shell/toast-provider.tsx';
import { SimulatePanel } from '../simulate/simulate-panel.tsx';
import { TeamUpdateFeed } from '../team-updates/team-update-feed.tsx';
import { UpdateComposer } from '../team-updates/update-composer.tsx';
import { useActivityReporter } from '../user-snapshots/use-activity-reporter.ts';
import { UserSnapshotList } from '../user-snapshots/user-snapshot-list.tsx';
import { LiveKpis } from './live-kpis.tsx';

export interface TeamDashboardProps {
  readonly session: DashboardSession;
  /** The server's first read, shown until the live list has loaded (no empty flash, no layout jump). */
  readonly initialPublishers: readonly PublisherView[];
  /** The server's first read of the KPIs, shown until the live read lands. */
  readonly initialKpis: Kpis | null;
  /** Display names by user id that the server could tell (the fixture users against a local stack). */
  readonly names: Readonly<Record<string, string>>;
}

/** The team dashboard: presence, agents, activity, notifications, publishers, campaigns and live KPIs. */
export function TeamDashboard(props: TeamDashboardProps) {
  return (
    <RealtimeShell organizationId={props.session.organizationId}>
      <DashboardBody {...props} />
    </RealtimeShell>
  );
}

function DashboardBody({ session, initialPublishers, initialKpis, names }: TeamDashboardProps) {
  const toast = useToast();
  const [territory, setTerritory] = useState('');
  const { userSnapshots } = useUserSnapshots();
  const { agentStatuses } = useAgentStatus();
  const { updates, postUpdate, hasOlder, loadingOlder, loadOlder } = useTeamUpdates();
  const { notifications, unreadCount, markRead, markAllRead } = useNotifications({
    // Persistent ones stay on the page until read (PinnedNotifications); transient ones only toast.
    onNotification: (n) => {
      if (!n.persistent) toast({ id: `notification-${n.id}`, message: n.message, level: n.level });
    },
  });
  const { publishers: livePublishers, loaded } = usePublishers();
  // Once the live list has loaded it is the truth, also when empty (access to every publisher lost).
  const publishers: readonly PublisherView[] = loaded ? livePublishers : initialPublishers;
  const kpis = useKpis() ?? initialKpis;
  const { campaigns } = useCampaigns();
  const people = usePeople();
  useActivityReporter({ action: 'Viewing the team dashboard', territory: session.territories[0] });

  const territories = useMemo(() => {
    const known = new Set(session.territories);
    for (const p of publishers) if (p.territory) known.add(p.territory);
    for (const u of updates) if (u.territory) known.add(u.territory);
    return [...known].sort();
  }, [session.territories, publishers, updates]);

  // A member limited to some territories posts only to those; everyone else to any they see.
  const restricted = session.territories.length > 0 && session.role !== 'owner' && session.role !== 'admin';
  const postTerritories = restricted ? session.territories : territories;
  const mentionable = useMemo(
    () => people.filter((person) => person.role !== 'agent' && person.userId !== session.userId),
    [people, session.userId],
  );
  const displayNames = useMemo(
    () => Object.fromEntries(people.map((person) => [person.userId, person.displayName])),
    [people],
  );
  const publisherNames = useMemo(() => Object.fromEntries(publishers.map((p) => [p.id, p.name])), [publishers]);

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
      <PinnedNotifications notifications={notifications} onMarkRead={(id) => void markRead(id)} />
      <LiveKpis kpis={kpis} peopleOnline={userSnapshots.filter((person) => person.status !== 'offline').length} />
      <div className="grid">
        <UserSnapshotList people={userSnapshots} currentUserId={session.userId} names={allNames} />
        <AgentMonitor runs={agentStatuses} />
        <TeamUpdateFeed
          updates={updates}
          territories={territories}
          territory={territory}
          onTerritoryChange={setTerritory}
          names={displayNames}
          hasOlder={hasOlder}
          loadingOlder={loadingOlder}
          onLoadOlder={() => void loadOlder()}
        >
          <UpdateComposer people={mentionable} territories={postTerritories} onPost={postUpdate} />
        </TeamUpdateFeed>
        <CampaignPanel campaigns={campaigns} publisherNames={publisherNames} />
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
