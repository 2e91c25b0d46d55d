import type { BroadcastRequest } from './broadcast-request.ts';
import type { Caller, Membership } from './caller.ts';
import type { BridgeClients } from './clients.ts';

/** The 202 answer of POST /broadcast: the message's envelope id, its type and where it went. */
export interface Delivered {
  readonly id: string;
  readonly type: string;
  readonly topic: string;
}

/** What one delivery needs: the validated request, who sent it, and the clients to write with. */
export interface DeliveryContext {
  readonly request: BroadcastRequest;
  readonly caller: Caller;
  readonly membership: Membership;
  readonly clients: BridgeClients;
  readonly now: () => number;
}
