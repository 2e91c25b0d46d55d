'use client';
import { useEffect, useMemo, useState } from 'react';
import type { DashboardSession } from '../../lib/session.ts';
import {
  useAccess,
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
import { useAgentControls } from '../agent-status/use-agent-controls.ts';
import { CampaignPanel } from '../campaigns/campaign-panel.tsx';
import { LiveConnectionIndicator } from '../connection/live-connection-indicator.tsx';
import { NotificationsMenu } from '../notifications/notifications-menu.tsx';
import { PinnedNotifications } from '../notifications/pinned-notifications.tsx';
import { AccessNotices, NoAccess } from '../people/access-notices.tsx';
import { MembersPanel } from '../people/members-panel.tsx';
import { useNames } from '../people/use-names.ts';
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
  /** The organisation's display names by user id, read by the server for the first paint. */
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
  initialKpis,
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
  const { runs, cancelRun, retryRun } = useAgentStatus();
  const agentControls = useAgentControls(session, cancelRun, retryRun, toast);
  const { updates, postUpdate, hasOlder, loadingOlder, loadOlder } = useTeamUpdates();
  const { notifications, unreadCount, markRead, markAllRead } = useNotifications({
    // Persistent ones stay on the page until read (PinnedNotifications); transient ones only toast.
    onNotification: (n) => {
      if (!n.persistent) toast({ id: `notification-${n.id}`, message: n.message, level: n.level });
    },
  });
  const { publishers: livePublishers, loaded } = usePublishers();
  // The server's first reads show until the live ones have loaded, and never after the rights
  // changed; once loaded the live list is the truth, also when empty (access to every publisher lost).
  const publishers: readonly PublisherView[] = loaded || rightsChanged ? livePublishers : initialPublishers;
  const kpis = useKpis() ?? (rightsChanged ? null : initialKpis);
  const { campaigns } = useCampaigns();
  const { people } = usePeople();
  useActivityReporter({ action: 'Viewing the team dashboard', territory: myTerritories[0] });

  const territories = useMemo(() => {
    const known = new Set(myTerritories);
    for (const p of publishers) if (p.territory) known.add(p.territory);
    for (const u of updates) if (u.territory) known.add(u.territory);
    return [...known].sort();
  }, [myTerritories, publishers, updates]);

  // A member limited to some territories posts only to those; everyone else to any they see.
  const restricted = myTerritories.length > 0 && role !== 'owner' && role !== 'admin';
  const postTerritories = restricted ? myTerritories : territories;
  const mentionable = useMemo(
    () => people.filter((person) => person.role !== 'agent' && person.userId !== session.userId),
    [people, session.userId],
  );
  const publisherNames = useMemo(() => Object.fromEntries(publishers.map((p) => [p.id, p.name])), [publishers]);

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
      <PinnedNotifications notifications={notifications} onMarkRead={(id) => void markRead(id)} />
      <LiveKpis kpis={kpis} peopleOnline={userSnapshots.filter((person) => person.status !== 'offline').length} />
      <div className="grid">
        <UserSnapshotList people={userSnapshots} currentUserId={session.userId} nameOf={nameOf} />
        <AgentMonitor runs={runs} controls={agentControls} />
        <TeamUpdateFeed
          updates={updates}
          nameOf={nameOf}
          territories={territories}
          territory={territory}
          onTerritoryChange={setTerritory}
          hasOlder={hasOlder}
          loadingOlder={loadingOlder}
          onLoadOlder={() => void loadOlder()}
        >
          <UpdateComposer people={mentionable} territories={postTerritories} onPost={postUpdate} />
        </TeamUpdateFeed>
        <CampaignPanel campaigns={campaigns} publisherNames={publisherNames} />
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
