import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer } from 'ws';
import { errorMessage } from '../errors.ts';
import { sendJson } from '../http.ts';
import type { LocalService, ServiceContext } from '../service.ts';
import { authenticateUpgrade, type ConnectRefusal } from './connect-auth.ts';
import { Connection } from './connection.ts';
import { startDbBroadcastListener, type DbBroadcast } from './db-broadcast.ts';
import { createPostgresChangesEngine } from './postgres-changes/index.ts';
import { handleRealtimeApi } from './rest-broadcast.ts';
import { jsonBytes } from './serializer.ts';
import { namespaceKey } from './broker.ts';
import { admitBroadcast, createTenant, createTenantCounters, publishBroadcast, type Tenant } from './tenant.ts';

const PREFIX = '/realtime/v1';
/** Realtime's words when the project database cannot be reached (§2.4; no `Code:` prefix). */
const DB_UNAVAILABLE = 'Realtime was unable to connect to the project database';
/** realtime-js connects to `<prefix>/websocket`; the server's own path is `/socket/websocket` (§1.1, §10). */
const SOCKET_PATHS = new Set([`${PREFIX}/websocket`, `${PREFIX}/socket/websocket`]);

function refuse(socket: Duplex, refusal: ConnectRefusal): void {
  const body = JSON.stringify({ error: refusal.error });
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'access-control-allow-origin: *\r\n' +
      'connection: close\r\n\r\n' +
      body,
  );
}

/** Delivers a realtime.messages row to its namespace as Realtime's replication does (§7.2). */
function deliverDbBroadcast(tenant: Tenant, message: DbBroadcast): void {
  const binary = message.binaryPayload !== undefined;
  const payload = binary ? message.binaryPayload! : jsonBytes(message.payload ?? {});
  // Over the size or the events/s limit, database broadcasts are dropped (§7.2, §8.3).
  if (admitBroadcast(tenant, payload.byteLength, { checkRate: true })) {
    tenant.log(`realtime: dropped database broadcast ${message.id} on ${message.topic}`);
    tenant.dropped.broadcasts += 1;
    tenant.dropped.deliveries += tenant.broker.subscriberCount(namespaceKey(message.private, message.topic));
    return;
  }
  publishBroadcast(
    tenant,
    { isPrivate: message.private, topic: message.topic },
    {
      kind: 'user_broadcast',
      event: message.event,
      metadata: { id: message.id },
      encoding: binary ? 'binary' : 'json',
      payload,
    },
  );
}

/** What the tenant holds right now, as Realtime's own metrics would show it. */
export interface RealtimeUsage {
  /** Sockets counted toward `maxConcurrentUsers` (from their first join until they close). */
  readonly connections: number;
  /** Channels joined to `topic` (private or public namespace), from every socket. */
  channels(topic: string, options: { private: boolean }): number;
  /** Open WebSockets, joined or not. */
  readonly sockets: number;
  /** Channels joined on every topic, from every socket. */
  readonly totalChannels: number;
  /** Messages counted against the events/s limit since the stack started (client sends and every delivery). */
  readonly eventsCounted: number;
  /** The events/s average Realtime compares with the limit: completed 5 s buckets of the last 60 s. */
  readonly eventsPerSecond: number;
  /** Presence events counted against the presence limit since the stack started (tracks, states, diffs). */
  readonly presenceEventsCounted: number;
  /** Database broadcasts dropped over the events/s limit, and the deliveries they would have made. */
  readonly droppedBroadcasts: number;
  readonly droppedDeliveries: number;
}

const usageOf = new WeakMap<LocalService, RealtimeUsage>();

/**
 * The Realtime usage of a running stack, for tests that must show a connection or channel was
 * really let go (a leave the client forgot is invisible to the client that forgot it).
 */
export function realtimeUsage(stack: { readonly services: readonly LocalService[] }): RealtimeUsage {
  for (const service of stack.services) {
    const usage = usageOf.get(service);
    if (usage) return usage;
  }
  throw new Error('realtimeUsage: the stack runs no Realtime service');
}

/**
 * The local Supabase Realtime: WebSocket protocol at `/realtime/v1/websocket` (vsn 1.0.0 and
 * 2.0.0) and the REST API at `/realtime/v1/api/*`, following the protocol reference.
 */
export async function createRealtimeService(context: ServiceContext): Promise<LocalService> {
  const { config, db, log } = context;
  const counters = createTenantCounters(config.realtime, context.clock);
  const engine = await createPostgresChangesEngine(db, {
    onError: (error) => log(`realtime: postgres changes: ${String(error)}`),
    dbEvents: counters.dbEvents,
    onSkipped: (count) =>
      log(`realtime: postgres changes: skipped ${count} change(s): Too many postgres changes messages per second`),
  });
  const tenant = createTenant(config, db, log, engine, context.clock, counters);
  const stopListener = await startDbBroadcastListener(db, (m) => deliverDbBroadcast(tenant, m), {
    onError: (error) => log(`realtime: database broadcast: ${String(error)}`),
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: config.realtime.maxFrameBytes });
  const connections = new Set<Connection>();
  // RATIONALE: while the database is gone, what the stack was told to broadcast is lost (as a
  // temporary replication slot's changes are), and no join can be authorised. Every channel is
  // therefore ended at once with the reason; clients rejoin (refused until the database is back)
  // and backfill on the join that succeeds, instead of sitting on a channel that silently missed
  // messages.
  const stopWatching = db.onConnectionChange((change) => {
    log(`realtime: database connection ${change}`);
    if (change === 'lost') for (const connection of connections) connection.shutdownChannels(DB_UNAVAILABLE);
  });

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> => {
    if (!SOCKET_PATHS.has(url.pathname)) {
      refuse(socket, { status: 404, error: 'Not found' });
      return;
    }
    let refusal: ConnectRefusal | undefined;
    const auth = await authenticateUpgrade(req, url, config, new Date(tenant.clock.now()));
    if (!auth.ok) refusal = auth;
    else if (tenant.connections >= config.realtime.maxConcurrentUsers)
      refusal = { status: 429, error: 'Too many connected users' };
    else if (tenant.joins.triggered()) refusal = { status: 429, error: 'Too many joins per second' };
    if (refusal || !auth.ok) {
      // CONNECT_ERROR_BACKOFF_MS: Realtime answers refused upgrades only after this delay (§1.2).
      if (config.realtime.connectErrorDelayMs > 0) await sleep(config.realtime.connectErrorDelayMs);
      refuse(socket, refusal ?? { status: 500, error: 'Error connecting to Realtime' });
      return;
    }
    const grant = auth.grant;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new Connection(tenant, grant, ws);
      connections.add(connection);
      connection.onClosed(() => connections.delete(connection));
    });
  };

  const service: LocalService = {
    prefix: PREFIX,
    requiresApiKey: true,
    description: `${PREFIX} Realtime: WebSocket (vsn 1.0.0, 2.0.0), broadcast (client, REST, database), presence, Postgres changes`,
    async handleRequest(req, res, url) {
      const path = url.pathname.slice(PREFIX.length);
      if (path.startsWith('/api/')) {
        await handleRealtimeApi(tenant, req, res, path, url);
        return;
      }
      sendJson(res, 404, { message: 'not found' });
    },
    handleUpgrade(req, socket, head, url) {
      upgrade(req, socket, head, url).catch((error: unknown) => {
        log(`realtime: upgrade failed: ${errorMessage(error)}`);
        refuse(socket, { status: 500, error: 'Error connecting to Realtime' });
      });
    },
    async close() {
      stopWatching();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await stopListener();
      await engine.close();
    },
  };
  usageOf.set(service, {
    get connections() {
      return tenant.connections;
    },
    channels: (topic, options) => tenant.broker.subscriberCount(namespaceKey(options.private, topic)),
    get sockets() {
      return connections.size;
    },
    get totalChannels() {
      return tenant.broker.totalSubscribers();
    },
    get eventsCounted() {
      return tenant.events.total;
    },
    get eventsPerSecond() {
      return tenant.events.average();
    },
    get presenceEventsCounted() {
      return tenant.presenceEvents.total;
    },
    get droppedBroadcasts() {
      return tenant.dropped.broadcasts;
    },
    get droppedDeliveries() {
      return tenant.dropped.deliveries;
    },
  });
  return service;
}
