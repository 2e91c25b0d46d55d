import { isTopicEvent, orgTopic, parseTopic, topicCarriesEvent, type RealtimeMessage } from '../contract/index.ts';
import { acceptMessage, acceptTopicEvent } from './accept-message.ts';
import type { AccessChange } from './access.ts';
import { createAccessStore, type AccessStore } from './access-store.ts';
import { createAgentStatusStore, type AgentStatusStore } from './agent-status-store.ts';
import type { CatchUp } from './catch-up.ts';
import { createChannelRegistry, type ChannelStateEntry } from './channel-registry.ts';
import { channelSpecFor } from './channel-spec.ts';
import { resolveTimings } from './client-timings.ts';
import { createConnectionSupervisor, type ConnectionSupervisor } from './connection-supervisor.ts';
import type { CoreContext } from './core-context.ts';
import { createDeliveryMonitor, DEFAULT_QUOTA_PROBE_INTERVAL_MS, isRateLimitReason } from './delivery-monitor.ts';
import { defaultEnvironment, type TimerHandle } from './environment.ts';
import { createCampaignsStore, type CampaignsStore } from './campaigns-store.ts';
import { createKpisStore, type KpisStore } from './kpis-store.ts';
import { listenToAllMessages } from './listen-to-all-messages.ts';
import { createNotificationsStore, type NotificationsStore } from './notifications-store.ts';
import { createPeopleStore, type PeopleStore } from './people-store.ts';
import { createPublisherHistoryStore, type PublisherHistoryStore } from './publisher-history-store.ts';
import { createPublisherListStore, type PublisherListStore } from './publisher-list-store.ts';
import { createPublisherRecordStore, type PublisherRecordStore } from './publisher-record-store.ts';
import type { RealtimeClientOptions } from './realtime-client-options.ts';
import { RealtimeError } from './realtime-error.ts';
import { bridgeUrlOf, postToBridge, type OutgoingMessage, type SendResult } from './send-message.ts';
import { createStoreCache } from './store-cache.ts';
import { createEmitter } from './store.ts';
import { createTeamUpdatesStore, type TeamUpdatesStore } from './team-updates-store.ts';
import { cachedTerritories } from './territories.ts';
import { createTokenRefresher } from './token-refresher.ts';
import { createUserSnapshotsStore, type UserSnapshotsStore } from './user-snapshots-store.ts';

export type { RealtimeClientOptions } from './realtime-client-options.ts';

export interface RealtimeClient {
  readonly organizationId: string;
  readonly connection: ConnectionSupervisor;
  readonly agents: AgentStatusStore;
  readonly teamUpdates: TeamUpdatesStore;
  readonly notifications: NotificationsStore;
  readonly userSnapshots: UserSnapshotsStore;
  readonly publishers: PublisherListStore;
  /** The organisation's people by name (membership and profile), kept live: authors, mentions, owners. */
  readonly people: PeopleStore;
  /**
   * The user's membership of the organisation, kept live while the client runs: a change of role
   * or territories, or a removal, re-reads, re-authorises and prunes every store, and shows here
   * as a notice ("You were moved to US_East", "You no longer have access to Acme Publishing").
   */
  readonly access: AccessStore;
  /** Campaigns of the publishers the user may read, with totals and recent data points, live. */
  readonly campaigns: CampaignsStore;
  /** The dashboard's KPIs from `dashboard_kpis` (SQL, under RLS), re-read when a change moves them. */
  readonly kpis: KpisStore;
  /** The store of one publisher record: one per id, kept while subscribed and `channelGraceMs` after. */
  publisher(publisherId: string): PublisherRecordStore;
  /** One publisher's change history, paged, following the record's version. */
  publisherHistory(publisherId: string): PublisherHistoryStore;
  /** Every validated contract message of the user's topics (useWebSocket's onMessage). */
  onMessage(listener: (message: RealtimeMessage, topic: string) => void): () => void;
  /** Errors that did not stop anything: invalid messages, refused channels, failed reads. */
  onError(listener: (error: RealtimeError) => void): () => void;
  sendMessage(message: OutgoingMessage): Promise<SendResult>;
  /** Starts the connection (first call) and keeps it while retained; returns release. */
  retain(): () => void;
  /** Topics with a channel (joined or joining): for diagnostics and tests. */
  channelTopics(): readonly string[];
  /** Each channel's topic, state (`refused`: no permission, retried slowly) and failure reason: for diagnostics and tests. */
  channelStates(): readonly ChannelStateEntry[];
  dispose(): Promise<void>;
}

/**
 * Creates the realtime core over one supabase-js client. Nothing connects until the first
 * `retain()` (or a store's first subscriber), so creating it during render or on the server is free.
 * @example
 * const realtime = createRealtimeClient({ supabase, organizationId });
 * const stop = realtime.agents.subscribe(() => render(realtime.agents.getSnapshot()));
 */
export function createRealtimeClient(options: RealtimeClientOptions): RealtimeClient {
  const { supabase, organizationId } = options;
  orgTopic(organizationId); // validates the id (throws a ContractError for a bad one: a programming error)
  const env = defaultEnvironment(options);
  const timings = resolveTimings(options);
  const graceMs = timings.channelGraceMs;
  const errors = createEmitter<RealtimeError>();
  const messages = createEmitter<{ message: RealtimeMessage; topic: string }>();
  const catchUps = new Set<CatchUp>();
  const accessChanges = createEmitter<AccessChange>();
  const reported = new WeakSet<object>();
  const refresher = createTokenRefresher(supabase, env, (error) => reportError(error));
  let userId: string | null = null;
  let started = false;
  let stopWatchingAccess: (() => void) | undefined;
  let retains = 0;
  let stopTimer: TimerHandle | undefined;
  let markReady: (id: string | null) => void = () => undefined;
  const ready = new Promise<string | null>((resolve) => (markReady = resolve));

  const reportError = (error: RealtimeError): void => {
    // The connection's lastError is about the connection: a refused or closed channel, a token
    // that could not be refreshed, a quota. Invalid messages and failed reads go to onError only.
    const { context } = error;
    if (context.kind === 'channel' || context.kind === 'auth' || context.kind === 'rate_limit')
      connection.reportError(error);
    errors.emit(error);
    if (context.kind === 'channel' && isRateLimitReason(context.reason)) delivery.notice('channel', context.reason);
  };

  const connection = createConnectionSupervisor({
    supabase,
    env,
    lostConnectionTimeoutMs: timings.lostConnectionTimeoutMs,
    failedConnectionTimeoutMs: timings.failedConnectionTimeoutMs,
    connectTimeoutMs: timings.connectTimeoutMs,
    channels: () => registry.states(),
    onResume: () => hintGap(),
  });
  const delivery = createDeliveryMonitor({
    supabase,
    env,
    probeIntervalMs: options.quotaProbeIntervalMs ?? DEFAULT_QUOTA_PROBE_INTERVAL_MS,
    onChange: (status) => connection.setDelivery(status),
    report: reportError,
  });

  const registry = createChannelRegistry({
    supabase,
    env,
    ready: ready.then(() => undefined),
    onError: reportError,
    specFor: (topic) => channelSpecFor(topic, userId),
    graceMs,
  });

  const start = (): void => {
    if (started) return;
    started = true;
    connection.start();
    delivery.start();
    // A change of the user's rights must reach the core whatever the page shows.
    stopWatchingAccess = access.subscribe(() => undefined);
    void refresher.start().then(
      (id) => {
        userId ??= id;
        markReady(id);
      },
      (cause: unknown) => {
        reportError(RealtimeError.from({ kind: 'auth' }, cause));
        markReady(null);
      },
    );
  };

  const hintGap = (): void => {
    for (const catchUp of catchUps) catchUp.request();
  };

  const ctx: CoreContext = {
    supabase,
    env,
    organizationId,
    // Whoever waits for the user starts the connection: nothing connects before a store is used.
    get ready() {
      start();
      return ready;
    },
    userId: () => userId,
    catchUpIntervalMs: timings.catchUpIntervalMs,
    readTimeoutMs: timings.readTimeoutMs,
    acquire(topic, listener) {
      start();
      return registry.acquire(topic, listener);
    },
    accept(topic, event, payload) {
      // A topic event this topic carries is not a contract message: acceptEvent's, not an error.
      const kind = parseTopic(topic)?.kind;
      if (kind && isTopicEvent(event) && topicCarriesEvent(kind, event)) return null;
      const result = acceptMessage(topic, event, payload);
      if (!result.ok) {
        // Several stores share a topic and each asks about the same payload: report it once.
        if (typeof payload !== 'object' || payload === null || !reported.has(payload)) reportError(result.error);
        if (typeof payload === 'object' && payload !== null) reported.add(payload);
        return null;
      }
      return result.message;
    },
    acceptEvent(topic, event, payload) {
      const result = acceptTopicEvent(topic, event, payload);
      if (result.ok) return result.value;
      reportError(result.error);
      return null;
    },
    reportError,
    registerCatchUp(catchUp) {
      catchUps.add(catchUp);
      return () => void catchUps.delete(catchUp);
    },
    hintGap,
    noticeDrop(what) {
      delivery.notice('gap', what);
      hintGap();
    },
    territories: () => territories.get(),
    access: () => {
      const { status, role, territories: list } = access.getSnapshot();
      return status === 'member' && role ? { role, territories: list } : null;
    },
    onAccessChange: accessChanges.on,
  };
  const territories = cachedTerritories(ctx, env);
  const access = createAccessStore(ctx, {
    // Every topic of this core is the organisation's, except the user's own.
    revoke: () => registry.revoke((topic) => parseTopic(topic)?.kind !== 'user'),
    readmit: () => registry.readmit(),
    refreshToken: () => refresher.refreshNow(),
    changed: (change) => {
      territories.invalidate();
      accessChanges.emit(change);
    },
  });

  const publisherRecords = createStoreCache((id) => createPublisherRecordStore(ctx, id), env, graceMs);
  const publisherHistories = createStoreCache(
    (id) => createPublisherHistoryStore(ctx, id, publisherRecords(id)),
    env,
    graceMs,
  );
  let stopListening: (() => void) | undefined;
  let messageListeners = 0;
  const bridgeUrl = options.bridgeUrl ?? bridgeUrlOf(supabase);

  return {
    organizationId,
    connection,
    agents: createAgentStatusStore(ctx),
    teamUpdates: createTeamUpdatesStore(ctx),
    notifications: createNotificationsStore(ctx),
    userSnapshots: createUserSnapshotsStore(ctx),
    publishers: createPublisherListStore(ctx),
    people: createPeopleStore(ctx),
    access,
    campaigns: createCampaignsStore(ctx),
    kpis: createKpisStore(ctx),
    publisher: publisherRecords,
    publisherHistory: publisherHistories,
    onMessage(listener) {
      const off = messages.on(({ message, topic }) => listener(message, topic));
      stopListening ??= listenToAllMessages(ctx, (message, topic) => messages.emit({ message, topic }));
      messageListeners++;
      return () => {
        off();
        if (--messageListeners === 0) {
          stopListening?.();
          stopListening = undefined;
        }
      };
    },
    onError: errors.on,
    async sendMessage(message) {
      await ctx.ready; // starts the client: the token it sends is the refreshed one

      return postToBridge(supabase, env.fetch, bridgeUrl, organizationId, message);
    },
    retain() {
      retains++;
      if (stopTimer !== undefined) env.timers.clearTimeout(stopTimer);
      stopTimer = undefined;
      start();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (--retains > 0) return;
        // The same grace as channels: a StrictMode re-mount retains again before this fires.
        stopTimer = env.timers.setTimeout(() => {
          stopTimer = undefined;
          if (retains > 0 || !started) return;
          started = false;
          stopWatchingAccess?.();
          refresher.stop();
          delivery.stop();
          connection.stop();
        }, graceMs);
      };
    },
    channelTopics: () => registry.topics(),
    channelStates: () => registry.states(),
    async dispose() {
      stopWatchingAccess?.();
      refresher.stop();
      delivery.stop();
      connection.stop();
      await registry.dispose();
    },
  };
}
