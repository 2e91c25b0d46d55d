import type { StackConfig } from '../config.ts';
import type { Database } from '../db/index.ts';
import { Broker } from './broker.ts';
import type { PostgresChangesEngine } from './postgres-changes/index.ts';
import { PresenceRegistry } from './presence.ts';
import { RateCounter } from './rate-counter.ts';

/**
 * The state Realtime keeps per tenant; the local stack is one tenant. Shared by every socket,
 * channel and REST request of one stack.
 */
export interface Tenant {
  readonly config: StackConfig;
  readonly db: Database;
  readonly log: (message: string) => void;
  readonly broker: Broker;
  readonly presence: PresenceRegistry;
  /** Messages per second: client sends plus every delivery (§8.2, §8.3). */
  readonly events: RateCounter;
  readonly joins: RateCounter;
  readonly pgChanges: PostgresChangesEngine | undefined;
  /** Open sockets, for `maxConcurrentUsers`. */
  connections: number;
}

export function createTenant(
  config: StackConfig,
  db: Database,
  log: (message: string) => void,
  pgChanges: PostgresChangesEngine | undefined,
  now?: () => number,
): Tenant {
  const clock = now ? { now } : {};
  return {
    config,
    db,
    log,
    broker: new Broker(),
    presence: new PresenceRegistry(),
    events: new RateCounter({ limit: config.realtime.maxEventsPerSecond, ...clock }),
    joins: new RateCounter({ limit: config.realtime.maxJoinsPerSecond, ...clock }),
    pgChanges,
    connections: 0,
  };
}

/** Realtime's payload size check: `external_size > max_payload_size_in_kb * 1000 + 500` (§3.3). */
export function payloadTooLarge(tenant: Tenant, bytes: number): boolean {
  return bytes > tenant.config.realtime.maxPayloadSizeKb * 1000 + 500;
}
