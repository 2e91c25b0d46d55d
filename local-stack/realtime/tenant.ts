import type { Clock } from '../clock.ts';
import type { RealtimeLimits, StackConfig } from '../config.ts';
import type { Database } from '../db/index.ts';
import { Broker, namespaceKey, type BrokerSubscriber, type Delivery } from './broker.ts';
import type { PostgresChangesEngine } from './postgres-changes/index.ts';
import { PresenceRegistry } from './presence.ts';
import { RateCounter } from './rate-counter.ts';
import { jsonBytes } from './serializer.ts';

/** Realtime's per-tenant rate counters (§8.2), all on one clock. */
export interface TenantCounters {
  /** Messages per second: client sends plus every broadcast delivery (§8.2, §8.3). */
  readonly events: RateCounter;
  readonly joins: RateCounter;
  /** `presence_state` pushes, tracks and presence_diff deliveries (§4.4). */
  readonly presenceEvents: RateCounter;
  /** Postgres-changes deliveries, counted by the poller; same limit as `events` (§8.3). */
  readonly dbEvents: RateCounter;
}

export function createTenantCounters(limits: RealtimeLimits, clock: Clock): TenantCounters {
  const { now } = clock;
  return {
    events: new RateCounter({ limit: limits.maxEventsPerSecond, now }),
    joins: new RateCounter({ limit: limits.maxJoinsPerSecond, now }),
    presenceEvents: new RateCounter({ limit: limits.maxPresenceEventsPerSecond, now }),
    dbEvents: new RateCounter({ limit: limits.maxEventsPerSecond, now }),
  };
}

/**
 * The state Realtime keeps per tenant; the local stack is one tenant. Shared by every socket,
 * channel and REST request of one stack.
 */
export interface Tenant extends TenantCounters {
  readonly config: StackConfig;
  readonly db: Database;
  readonly log: (message: string) => void;
  /** Every time the tenant reads: rate counters, token expiry, presence windows, idle timers. */
  readonly clock: Clock;
  readonly broker: Broker;
  readonly presence: PresenceRegistry;
  readonly pgChanges: PostgresChangesEngine | undefined;
  /** Sockets with at least one successful join, for `maxConcurrentUsers` (Realtime counts users from their first join). */
  connections: number;
  /**
   * Database broadcasts dropped over the events/s limit (§8.3), and the deliveries they would have
   * made (the topic's subscribers at the time): what Realtime drops without a word, counted.
   */
  readonly dropped: { broadcasts: number; deliveries: number };
}

export function createTenant(
  config: StackConfig,
  db: Database,
  log: (message: string) => void,
  pgChanges: PostgresChangesEngine | undefined,
  clock: Clock,
  counters: TenantCounters = createTenantCounters(config.realtime, clock),
): Tenant {
  return {
    config,
    db,
    log,
    clock,
    broker: new Broker(),
    presence: new PresenceRegistry(),
    ...counters,
    pgChanges,
    connections: 0,
    dropped: { broadcasts: 0, deliveries: 0 },
  };
}

/**
 * Realtime's `limit_presence_event`, run before a `presence_state` push and before a track
 * (§4.4): refused while the average is strictly above the limit (`avg > max`, not the counters'
 * usual ≥ trigger), otherwise counted.
 */
export function takePresenceEvent(tenant: Tenant): boolean {
  const counter = tenant.presenceEvents;
  if (counter.average() > counter.limit) return false;
  counter.add();
  return true;
}

/** Realtime's payload size check: `external_size > max_payload_size_in_kb * 1000 + 500` (§3.3). */
export function payloadTooLarge(tenant: Tenant, bytes: number): boolean {
  return bytes > tenant.config.realtime.maxPayloadSizeKb * 1000 + 500;
}

/**
 * The size a client broadcast's payload limit is checked against. A JSON push whose whole frame is
 * within the limit cannot carry a payload over it, so its payload is serialised again only when the
 * frame might be too large: on the fan-out's hot path that second JSON.stringify was pure cost.
 */
export function broadcastSize(
  tenant: Tenant,
  delivery: Exclude<Delivery, { kind: 'presence_diff' }>,
  wireBytes: number | undefined,
): number {
  if (delivery.kind === 'user_broadcast') return delivery.payload.byteLength;
  if (wireBytes !== undefined && !payloadTooLarge(tenant, wireBytes)) return wireBytes;
  return jsonBytes(delivery.payload).byteLength;
}

export type BroadcastRefusal = 'payload_too_large' | 'rate_limited';

/**
 * The admission every broadcast source shares (client push, REST, database): the payload size
 * (§3.3), then, for sources the server checks at send, the tenant's events/s counter (§8.3).
 * Client pushes skip the rate check here: each receiving channel checks it instead.
 */
export function admitBroadcast(
  tenant: Tenant,
  payloadBytes: number,
  options: { checkRate: boolean },
): BroadcastRefusal | undefined {
  if (payloadTooLarge(tenant, payloadBytes)) return 'payload_too_large';
  if (options.checkRate && tenant.events.triggered()) return 'rate_limited';
  return undefined;
}

/** Counts one admitted broadcast on the tenant and fans it out to its namespace, but `except` (`self: false`, §3.3). */
export function publishBroadcast(
  tenant: Tenant,
  target: { isPrivate: boolean; topic: string },
  delivery: Exclude<Delivery, { kind: 'presence_diff' }>,
  except?: BrokerSubscriber,
): void {
  tenant.events.add();
  tenant.broker.publish(namespaceKey(target.isPrivate, target.topic), delivery, except);
}
