import type { SupabaseClient } from '@supabase/supabase-js';
import { orgTopic, publisherRecordTopic, territoryTopic, userTopic } from '../../../src/contract/topics.ts';
import { fieldError, type BridgeMessageOf } from './broadcast-request.ts';
import { isMember, type Caller } from './caller.ts';
import { deliverCampaignMetric } from './deliver-campaign-metric.ts';
import { BridgeError } from './http-error.ts';
import { assertSelf } from './role-table.ts';
import type { Delivered, DeliveryContext } from './delivery-types.ts';
import { sendUserSnapshot } from './send-snapshot.ts';

/**
 * Persistent types are written to their tables and the database triggers broadcast them (so
 * they can be replayed and backfilled); only user_snapshot is sent as is.
 */
export function deliver(context: DeliveryContext): Promise<Delivered> {
  const { message } = context.request;
  switch (message.type) {
    case 'team_update':
      return deliverTeamUpdate(context, message);
    case 'notification':
      return deliverNotification(context, message);
    case 'agent_status':
      return deliverAgentStatus(context, message);
    case 'publisher_update':
      return deliverPublisherUpdate(context, message);
    case 'user_snapshot':
      return sendUserSnapshot(context, message);
    case 'campaign_metric':
      return deliverCampaignMetric(context, message, writer(context), writeRefused);
  }
}

/** Writes with the caller's token wherever a client grant exists, so RLS decides. */
function writer({ caller, clients }: DeliveryContext): SupabaseClient {
  return caller.kind === 'service' ? clients.service : clients.asCaller(caller.token);
}

function userIdOf(caller: Caller): string | null {
  return caller.kind === 'user' ? caller.id : null;
}

function onlyTarget(context: DeliveryContext, allowed: 'userId' | 'territory' | 'publisherId' | null): void {
  const target = context.request.target;
  if (!target) return;
  const given = Object.keys(target)[0] ?? '';
  if (given !== allowed) throw fieldError(`target.${given}`, `does not apply to ${context.request.message.type}`);
}

/** Merges a value given both in `target` and in `data`: they must agree. */
function agree<T>(fromTarget: T | undefined, fromData: T | null | undefined, path: string): T | null {
  if (fromTarget !== undefined && fromData !== undefined && fromData !== null && fromData !== fromTarget) {
    throw fieldError(path, `contradicts target (${String(fromTarget)})`);
  }
  return fromTarget ?? fromData ?? null;
}

async function deliverTeamUpdate(
  context: DeliveryContext,
  message: BridgeMessageOf<'team_update'>,
): Promise<Delivered> {
  onlyTarget(context, 'territory');
  const { organizationId, target } = context.request;
  const territory = agree(
    target && 'territory' in target ? target.territory : undefined,
    message.data.territory,
    'message.data.territory',
  );
  assertSelf(userIdOf(context.caller), message.data.userId, 'message.data.userId');
  const { data, error } = await writer(context)
    .from('team_updates')
    .insert({
      organization_id: organizationId,
      update_type: message.data.updateType,
      message: message.data.message,
      user_id: userIdOf(context.caller) ?? message.data.userId ?? null,
      territory,
      details: message.data.details,
    })
    .select('id')
    .single();
  if (error) throw writeRefused('team_update', error);
  return {
    id: data.id as string,
    type: 'team_update',
    topic: territory ? territoryTopic(organizationId, territory) : orgTopic(organizationId),
  };
}

async function deliverNotification(
  context: DeliveryContext,
  message: BridgeMessageOf<'notification'>,
): Promise<Delivered> {
  onlyTarget(context, 'userId');
  const { organizationId, target, source } = context.request;
  const recipient = agree(
    target && 'userId' in target ? target.userId : undefined,
    message.data.userId,
    'message.data.userId',
  );
  if (recipient === null && context.membership.role === 'member') {
    throw new BridgeError(
      403,
      'recipient_required',
      'Members notify one member (target.userId); only owners and admins notify the whole organisation',
    );
  }
  // RATIONALE: no client may insert notifications (so nobody can forge one), hence the service
  // role here — only after the caller's membership (handler) and the recipient's are checked.
  if (recipient !== null && !(await isMember(context.clients.service, organizationId, recipient))) {
    throw new BridgeError(
      403,
      'recipient_not_member',
      `The recipient ${recipient} is not a member of organisation ${organizationId}`,
    );
  }
  const { data, error } = await context.clients.service
    .from('notifications')
    .insert({
      organization_id: organizationId,
      user_id: recipient,
      level: message.data.level,
      message: message.data.message,
      action_url: message.data.actionUrl ?? null,
      persistent: message.data.persistent ?? false,
      source: source ?? 'bridge',
    })
    .select('id')
    .single();
  if (error) throw writeRefused('notification', error);
  return {
    id: data.id as string,
    type: 'notification',
    topic: recipient ? userTopic(recipient) : orgTopic(organizationId),
  };
}

async function deliverAgentStatus(
  context: DeliveryContext,
  message: BridgeMessageOf<'agent_status'>,
): Promise<Delivered> {
  onlyTarget(context, null);
  const { organizationId } = context.request;
  const { data: status } = message;
  const row: Record<string, unknown> = {
    organization_id: organizationId,
    agent_id: status.agentId,
    status: status.status,
    progress: status.progress?.progress ?? null,
    current_task: status.progress?.currentTask ?? null,
    // The column holds whole seconds.
    estimated_time: status.progress?.estimatedTime == null ? null : Math.round(status.progress.estimatedTime),
    queue_position: status.queuePosition ?? null,
    error: status.error ?? null,
  };
  if (status.attempt != null) row.attempt = status.attempt;
  const table = writer(context).from('agent_runs');
  const written = status.runId ? table.upsert({ id: status.runId, ...row }, { onConflict: 'id' }) : table.insert(row);
  const { data, error } = await written.select('id, seq').single();
  if (error) throw writeRefused('agent_status', error);
  return { id: `${String(data.id)}:${String(data.seq)}`, type: 'agent_status', topic: orgTopic(organizationId) };
}

/** The publisher columns a publisher_update may change (the client grant of `publishers`). */
const EDITABLE_FIELDS = ['name', 'status', 'territory', 'owner_id', 'custom_fields'] as const;

async function deliverPublisherUpdate(
  context: DeliveryContext,
  message: BridgeMessageOf<'publisher_update'>,
): Promise<Delivered> {
  onlyTarget(context, 'publisherId');
  const { organizationId, target } = context.request;
  const publisherId = agree(
    target && 'publisherId' in target ? target.publisherId : undefined,
    message.data.publisherId,
    'message.data.publisherId',
  )!;
  const { field, newValue, updatedBy } = message.data.update;
  if (!(EDITABLE_FIELDS as readonly string[]).includes(field)) {
    throw fieldError('message.data.update.field', `must be one of ${EDITABLE_FIELDS.join(', ')}`);
  }
  assertSelf(userIdOf(context.caller), updatedBy, 'message.data.update.updatedBy');
  const change: Record<string, unknown> = { [field]: newValue ?? null };
  // The service role may name the user it acts for; a user's own id is set by the trigger.
  if (context.caller.kind === 'service' && updatedBy) change.updated_by = updatedBy;
  const { data, error } = await writer(context)
    .from('publishers')
    .update(change)
    .eq('id', publisherId)
    .eq('organization_id', organizationId)
    .select('version, territory');
  if (error) throw writeRefused('publisher_update', error);
  const row = data[0];
  if (!row) {
    throw new BridgeError(
      403,
      'publisher_not_editable',
      `Publisher ${publisherId} is not in organisation ${organizationId} or you may not edit it`,
    );
  }
  const territory = (row.territory as string | null) ?? null;
  return {
    id: `${publisherId}:${String(row.version)}:${field}`,
    type: 'publisher_update',
    topic: publisherRecordTopic(organizationId, publisherId, territory),
  };
}

/** Maps a refused write: RLS and privileges → 403, constraint and type errors → 422, the rest → 502. */
function writeRefused(type: string, error: { message: string; code?: string }): BridgeError {
  const code = error.code ?? '';
  if (code === '42501')
    return new BridgeError(403, 'write_refused', `The database refused this ${type} for you: ${error.message}`);
  if (/^(23|22)/.test(code)) {
    return new BridgeError(422, 'invalid_request', `The database rejected this ${type}: ${error.message}`, { code });
  }
  return new BridgeError(
    502,
    'upstream_error',
    `Writing the ${type} failed: ${error.message}`,
    code ? { code } : undefined,
  );
}
