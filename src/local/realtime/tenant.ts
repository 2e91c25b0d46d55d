import type { RealtimeLimits, StackConfig } from '../config.ts';
import type { Database } from '../db/index.ts';
import { Broker } from './broker.ts';
import type { PostgresChangesEngine } from './postgres-changes/index.ts';
import { PresenceRegistry } from './presence.ts';
import { RateCounter } from './rate-counter.ts';

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

export function createTenantCounters(limits: RealtimeLimits, now?: () => number): TenantCounters {
  const clock = now ? { now } : {};
  return {
    events: new RateCounter({ limit: limits.maxEventsPerSecond, ...clock }),
    joins: new RateCounter({ limit: limits.maxJoinsPerSecond, ...clock }),
    presenceEvents: new RateCounter({ limit: limits.maxPresenceEventsPerSecond, ...clock }),
    dbEvents: new RateCounter({ limit: limits.maxEventsPerSecond, ...clock }),
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
  readonly broker: Broker;
  readonly presence: PresenceRegistry;
  readonly pgChanges: PostgresChangesEngine | undefined;
  /** Sockets with at least one successful join, for `maxConcurrentUsers` (Realtime counts users from their first join). */
  connections: number;
}

export function createTenant(
  config: StackConfig,
  db: Database,
  log: (message: string) => void,
  pgChanges: PostgresChangesEngine | undefined,
  counters: TenantCounters = createTenantCounters(config.realtime),
): Tenant {
  return {
    config,
    db,
    log,
    broker: new Broker(),
    presence: new PresenceRegistry(),
    ...counters,
    pgChanges,
    connections: 0,
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
