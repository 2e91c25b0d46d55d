import { userSnapshotMessageSchema } from '../../../src/contract/message-schemas.ts';
import { orgTopic, territoryTopic } from '../../../src/contract/topics.ts';
import type { BridgeMessageOf } from './broadcast-request.ts';
import type { Delivered, DeliveryContext } from './delivery-types.ts';
import { BridgeError } from './http-error.ts';
import { assertSelf } from './role-table.ts';

/**
 * user_snapshot is the database's to author: the bridge reports it through `report_activity` as
 * the caller (the service role names the person it acts for), which stores it and broadcasts it
 * on the organisation's topic, or on the territory's topic for activity about a publisher or a
 * territory. So the database, not the bridge, has the last word on who may report what
 * (docs/security.md "Identity on presence and activity").
 */
export async function sendUserSnapshot(
  context: DeliveryContext,
  message: BridgeMessageOf<'user_snapshot'>,
): Promise<Delivered> {
  const { organizationId, target } = context.request;
  if (target)
    throw new BridgeError(422, 'invalid_request', `target: does not apply to user_snapshot`, {
      issues: [{ path: 'target', message: 'does not apply to user_snapshot' }],
    });
  const { caller, clients } = context;
  assertSelf(caller.kind === 'user' ? caller.id : null, message.data.userId, 'message.data.userId');
  const { activity } = message.data;
  const client = caller.kind === 'service' ? clients.service : clients.asCaller(caller.token);
  const { data, error } = await client.rpc('report_activity', {
    organization_id: organizationId,
    action: activity.action,
    status: activity.status,
    territory: activity.territory ?? null,
    publisher_id: activity.publisherId ?? null,
    user_id: message.data.userId,
  });
  if (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code === '42501')
      throw new BridgeError(403, 'write_refused', `The database refused this user_snapshot for you: ${error.message}`);
    if (/^22/.test(code))
      throw new BridgeError(422, 'invalid_request', `The database rejected this user_snapshot: ${error.message}`, {
        code,
      });
    throw new BridgeError(502, 'upstream_error', `Reporting the activity failed: ${error.message}`);
  }
  const sent = userSnapshotMessageSchema.safeParse(data);
  if (!sent.success) throw new BridgeError(502, 'upstream_error', 'report_activity answered with an unexpected shape');
  const scope = sent.data.data.activity.territory;
  return {
    id: sent.data.id,
    type: 'user_snapshot',
    topic: scope ? territoryTopic(organizationId, scope) : orgTopic(organizationId),
  };
}
