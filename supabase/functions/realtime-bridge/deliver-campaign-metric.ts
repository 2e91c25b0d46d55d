import type { SupabaseClient } from '@supabase/supabase-js';
import { publisherRecordTopic, territoryTopic } from '../../../src/contract/topics.ts';
import { fieldError, type BridgeMessageOf } from './broadcast-request.ts';
import type { BridgeError } from './http-error.ts';
import type { Delivered, DeliveryContext } from './delivery-types.ts';

/**
 * A campaign's data point: inserted into `campaign_metrics` with the caller's token (RLS: agent
 * accounts, owners and admins, for campaigns of publishers they can see), and the database
 * broadcasts it on the publisher's territory topic (its record topic when it has no territory).
 * `write` and `refused` are the delivery's writer and error mapping (deliver.ts).
 */
export async function deliverCampaignMetric(
  context: DeliveryContext,
  message: BridgeMessageOf<'campaign_metric'>,
  write: SupabaseClient,
  refused: (type: string, error: { message: string; code?: string }) => BridgeError,
): Promise<Delivered> {
  if (context.request.target) throw fieldError('target', 'does not apply to campaign_metric');
  const { organizationId } = context.request;
  const { campaignId, recordedAt, impressions, clicks, conversions, spend } = message.data;
  // The campaign first: a point is written only into a campaign of the request's organisation.
  const campaign = await write
    .from('campaigns')
    .select('publisher_id, publishers(territory)')
    .eq('id', campaignId)
    .eq('organization_id', organizationId)
    .maybeSingle();
  if (campaign.error) throw refused('campaign_metric', campaign.error);
  if (!campaign.data) {
    throw fieldError('message.data.campaignId', `is not a campaign of organisation ${organizationId} that you can see`);
  }
  const { data, error } = await write
    .from('campaign_metrics')
    .insert({
      campaign_id: campaignId,
      ...(recordedAt ? { recorded_at: recordedAt } : {}),
      impressions,
      clicks,
      conversions,
      spend,
    })
    .select('id')
    .single();
  if (error) throw refused('campaign_metric', error);
  const publisherId = String(campaign.data.publisher_id);
  const embedded = campaign.data.publishers as { territory?: string | null } | null;
  const territory = embedded?.territory ?? null;
  return {
    id: `${campaignId}:${String(data.id)}`,
    type: 'campaign_metric',
    topic: territory
      ? territoryTopic(organizationId, territory)
      : publisherRecordTopic(organizationId, publisherId, null),
  };
}
