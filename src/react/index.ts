'use client';
/**
 * React bindings of the realtime core: a provider and one hook per feature. Also importable as
 * `@/lib/websocket/hooks`, the path PubDev's components were written against.
 */
export { RealtimeProvider, useRealtimeClient } from './realtime-provider.tsx';
export type { RealtimeProviderProps } from './realtime-provider.tsx';
export { useConnectionStatus, useLostConnectionListener } from './use-connection-status.ts';
export { useWebSocket } from './use-websocket.ts';
export type { UseWebSocketOptions, UseWebSocketResult } from './use-websocket.ts';
export { useUserSnapshots } from './use-user-snapshots.ts';
export type { UseUserSnapshotsResult } from './use-user-snapshots.ts';
export { useAgentStatus } from './use-agent-status.ts';
export type { UseAgentStatusResult } from './use-agent-status.ts';
export { useTeamUpdates } from './use-team-updates.ts';
export type { UseTeamUpdatesOptions, UseTeamUpdatesResult } from './use-team-updates.ts';
export { useNotifications } from './use-notifications.ts';
export type { UseNotificationsOptions, UseNotificationsResult } from './use-notifications.ts';
export { usePublishers } from './use-publishers.ts';
export type { UsePublishersOptions, UsePublishersResult } from './use-publishers.ts';
export { useCampaigns } from './use-campaigns.ts';
export { useKpis } from './use-kpis.ts';
export { usePublisherHistory } from './use-publisher-history.ts';
export type { UsePublisherHistoryResult } from './use-publisher-history.ts';
export { usePublisher } from './use-publisher.ts';
export type { UsePublisherResult } from './use-publisher.ts';
export { useAccess } from './use-access.ts';
export type { UseAccessResult } from './use-access.ts';
export { usePeople } from './use-people.ts';
export type { UsePeopleResult } from './use-people.ts';
export type {
  AccessNotice,
  AccessSnapshot,
  Membership,
  Person,
  ActivityInput,
  AgentProgress,
  AgentRun,
  AgentRunStatus,
  Campaign,
  CampaignPoint,
  ConnectionSnapshot,
  Kpis,
  ConnectionStatus,
  LostConnectionEvent,
  Notification,
  OutgoingMessage,
  PostUpdateInput,
  Publisher,
  PublisherChange,
  PublisherDraftValue,
  PublisherEditor,
  SaveConflict,
  SaveResult,
  SendResult,
  TeamUpdate,
  UserSnapshot,
  WriteResult,
} from '../realtime/index.ts';
export type { RealtimeMessage } from '../contract/index.ts';
export { inTerritoryView } from '../realtime/index.ts';
