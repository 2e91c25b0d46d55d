import { activityTopic } from '../../../src/contract/topics.ts';
import type { BridgeMessageOf } from './broadcast-request.ts';
import type { Delivered, DeliveryContext } from './delivery-types.ts';
import { BridgeError } from './http-error.ts';
import { assertSelf } from './role-table.ts';

/**
 * user_snapshot is ephemeral: it goes out once through Realtime's single-message endpoint
 * (`httpSend`), as the caller, on the private activity topic — so the realtime.messages policy,
 * not the bridge, has the last word on who may broadcast activity.
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
  const topic = activityTopic(organizationId);
  const envelope = {
    id: crypto.randomUUID(),
    type: 'user_snapshot' as const,
    data: message.data,
    timestamp: new Date(context.now()).toISOString(),
  };
  try {
    await clients.httpSend(caller.token, topic, 'user_snapshot', envelope);
  } catch (error) {
    const reason = (error as Error).message;
    if (/unauthori[sz]ed|forbidden/i.test(reason)) {
      throw new BridgeError(403, 'realtime_refused', `Realtime refused your broadcast on ${topic}: ${reason}`);
    }
    throw new BridgeError(502, 'upstream_error', `Realtime broadcast on ${topic} failed: ${reason}`);
  }
  return { id: envelope.id, type: 'user_snapshot', topic };
}
