import type { MessageType } from '../../../src/contract/message-types.ts';
import type { OrgRole } from './caller.ts';
import { BridgeError } from './http-error.ts';

/*
 * Who may send which message type through POST /broadcast (docs/bridge.md has the same table).
 * What a role may send is decided here; *which* rows it may touch is decided by RLS, because
 * every write that a client grant allows runs with the caller's own token.
 */
export const MAY_SEND: Readonly<Record<OrgRole, readonly MessageType[]>> = {
  service: ['team_update', 'notification', 'agent_status', 'publisher_update', 'user_snapshot', 'campaign_metric'],
  owner: ['team_update', 'notification', 'agent_status', 'publisher_update', 'user_snapshot', 'campaign_metric'],
  admin: ['team_update', 'notification', 'agent_status', 'publisher_update', 'user_snapshot', 'campaign_metric'],
  member: ['team_update', 'notification', 'user_snapshot', 'publisher_update'],
  agent: ['agent_status', 'campaign_metric'],
};

export function assertMaySend(role: OrgRole, type: MessageType): void {
  if (MAY_SEND[role].includes(type)) return;
  const allowed = MAY_SEND[role].join(', ');
  throw new BridgeError(
    403,
    'type_not_allowed',
    `A caller with role ${role} may not send ${type} (allowed: ${allowed})`,
  );
}

/** A user acting in a message's identity field (`userId`, `updatedBy`) may only name themself. */
export function assertSelf(callerId: string | null, named: string | null | undefined, path: string): void {
  if (callerId === null || named === null || named === undefined || named === callerId) return;
  throw new BridgeError(
    403,
    'forged_identity',
    `${path} must be your own user id (${callerId}); you may not act as ${named}`,
  );
}
