/**
 * The realtime core: framework-free (no React), over one supabase-js client.
 * Bindings (src/react) import only from here.
 */
export { createRealtimeClient } from './realtime-client.ts';
export { sharedRealtimeClient } from './shared-client.ts';
export type { RealtimeClient, RealtimeClientOptions } from './realtime-client.ts';
export { RealtimeError } from './realtime-error.ts';
export type { ChannelFailure, RealtimeErrorContext } from './realtime-error.ts';
export type {
  ConnectionSnapshot,
  ConnectionStatus,
  DegradedChannels,
  LostConnectionEvent,
} from './connection-supervisor.ts';
export type { ReadableStore } from './store.ts';
export type { Environment, Timers } from './environment.ts';
export type { TimingOptions } from './client-timings.ts';
export type {
  AgentProgress,
  AgentProgressInput,
  AgentRun,
  AgentRunStatus,
  AgentStatusStore,
  WriteResult,
} from './agent-status-store.ts';
export { countRunning, isRunning, latestRunPerAgent } from './agent-run-summary.ts';
export type {
  OlderUpdatesState,
  PostUpdateInput,
  TeamUpdate,
  TeamUpdateType,
  TeamUpdatesStore,
} from './team-updates-store.ts';
export { ACTIVITY_PAGE_SIZE } from './team-updates-store.ts';
export type { Campaign, CampaignPoint, CampaignsStore } from './campaigns-store.ts';
export type { Kpis, KpisStore } from './kpis-store.ts';
export { kpisFromRow } from './kpis-store.ts';
export type { PublisherChange, PublisherHistorySnapshot, PublisherHistoryStore } from './publisher-history-store.ts';
export { inTerritoryView } from './territory-view.ts';
export type {
  Notification,
  NotificationLevel,
  NotificationsSnapshot,
  NotificationsStore,
} from './notifications-store.ts';
export type { ActivityInput, UserSnapshot, UserSnapshotsStore, UserStatus } from './user-snapshots-store.ts';
export type { PublisherListStore } from './publisher-list-store.ts';
export type { AccessNotice, AccessSnapshot, AccessStore, Membership } from './access-store.ts';
export type { PeopleSnapshot, PeopleStore, Person } from './people-store.ts';
export type { ChannelState, ChannelStateEntry } from './channel-types.ts';
export type { Publisher, PublisherChanges, PublisherField } from './publisher.ts';
export type {
  PublisherDraftValue,
  PublisherEditor,
  PublisherRecordSnapshot,
  PublisherRecordStore,
  SaveConflict,
  SaveResult,
} from './publisher-record-store.ts';
export type { OutgoingMessage, SendResult, SendTarget } from './send-message.ts';
export { KPI_COLUMNS, PUBLISHER_COLUMNS, kpiRowSchema, publisherRowSchema } from './rows.ts';
export type { PublisherRow } from './rows.ts';
export { LEAVE_HOLD_MS } from './user-snapshots-store.ts';
export { DEFAULT_CATCH_UP_INTERVAL_MS, DEFAULT_CHANNEL_GRACE_MS } from './timing.ts';
