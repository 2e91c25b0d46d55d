-- Campaign data points, live (docs/data-model.md "Campaigns"): every campaign_metrics row is
-- broadcast as a `campaign_metric` message (src/contract message-schemas.ts) in the transaction
-- that writes it, on the topic of the publisher's CURRENT territory — or, for a publisher without
-- one, on its record topic — so exactly the members who may read the campaign hear it.
-- The envelope id is "<campaignId>:<pointId>": a live point and its backfill de-duplicate by id.
-- The message carries the campaign's totals with this point counted, read from the row that
-- campaign_metrics_add_to_totals has just updated (both are after-insert row triggers, which fire in
-- name order, so "add" comes before "broadcast"; the row lock makes the read this point's sum). A
-- client keeps whichever totals count more points, the row's or the message's, so a catch-up that
-- races a live point can neither miss nor double-count it.

create or replace function private.campaign_metrics_broadcast() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  territory text;
  totals jsonb;
begin
  select p.territory into territory from public.publishers p where p.id = new.publisher_id;
  select jsonb_build_object(
           'impressions', c.impressions, 'clicks', c.clicks, 'conversions', c.conversions,
           'spend', c.spend, 'points', c.points)
    into totals
    from public.campaigns c where c.id = new.campaign_id;
  perform realtime.send(
    jsonb_build_object(
      'id', new.campaign_id::text || ':' || new.id::text,
      'type', 'campaign_metric',
      'timestamp', private.iso_timestamp(now()),
      'data', jsonb_build_object(
        'campaignId', new.campaign_id,
        'publisherId', new.publisher_id,
        'pointId', new.id,
        'recordedAt', private.iso_timestamp(new.recorded_at),
        'impressions', new.impressions,
        'clicks', new.clicks,
        'conversions', new.conversions,
        'spend', new.spend,
        'totals', totals
      )
    ),
    'campaign_metric',
    case
      when territory is null then private.publisher_record_topic(new.organization_id, null, new.publisher_id)
      else 'org:' || new.organization_id::text || ':territory:' || territory
    end,
    true
  );
  return null;
end;
$$;

create trigger campaign_metrics_broadcast
  after insert on public.campaign_metrics
  for each row execute function private.campaign_metrics_broadcast();

revoke execute on function private.campaign_metrics_broadcast() from public, anon, authenticated;
