import type { BridgeClients } from './clients.ts';
import type { BridgeEnv } from './env.ts';

/** Everything the handler needs from outside, injected so tests and index.ts choose it. */
export interface BridgeDeps {
  readonly env: BridgeEnv;
  readonly clients: BridgeClients;
  /** Milliseconds since the epoch: signature windows, envelope timestamps, idempotency waits. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly fetch: typeof fetch;
}
