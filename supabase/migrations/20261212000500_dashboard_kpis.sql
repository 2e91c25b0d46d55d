-- The dashboard's KPIs, defined once in SQL (docs/data-model.md "KPIs"): public.dashboard_kpis, one
-- row per organisation the caller belongs to, computed under the caller's RLS (security_invoker),
-- so every viewer of the same territories reads the same figures and nobody counts what they may
-- not see. Clients re-read it when a change that moves it arrives (a publisher change, an agent
-- run changing status, a campaign data point).
--
--   publishers_total, publishers_by_status   publishers the caller can see, by status
--   runs_queued, runs_processing             agent runs the caller can see (agent_run_visibility)
--                                            waiting, or working now: processing with a lease
--                                            that has not expired (a stalled run is not running)
--   campaigns_active                         campaigns with status active
--   impressions, clicks, conversions, spend  totals of the visible campaigns (their running totals)
--   click_through_rate                       clicks / impressions (null without impressions)
--   conversion_rate                          conversions / clicks (null without clicks)
--   cost_per_conversion                      spend / conversions (null without conversions)

-- Runs that are waiting or working, per organisation: the only runs the KPI counts, so the count
-- never walks an organisation's finished history.
create index agent_runs_organization_id_active_idx
  on public.agent_runs (organization_id, status) where status in ('queued', 'processing');

create view public.dashboard_kpis with (security_invoker = true) as
select o.id as organization_id,
       coalesce(pub.total, 0)::integer as publishers_total,
       coalesce(pub.by_status, '{}'::jsonb) as publishers_by_status,
       coalesce(runs.queued, 0)::integer as runs_queued,
       coalesce(runs.processing, 0)::integer as runs_processing,
       coalesce(camp.active, 0)::integer as campaigns_active,
       coalesce(camp.impressions, 0)::bigint as impressions,
       coalesce(camp.clicks, 0)::bigint as clicks,
       coalesce(camp.conversions, 0)::bigint as conversions,
       coalesce(camp.spend, 0)::numeric(18, 2) as spend,
       round(camp.clicks::numeric / nullif(camp.impressions, 0), 6) as click_through_rate,
       round(camp.conversions::numeric / nullif(camp.clicks, 0), 6) as conversion_rate,
       round(camp.spend / nullif(camp.conversions, 0), 2) as cost_per_conversion
  from public.organizations o
  left join lateral (
    select sum(s.n) as total, jsonb_object_agg(s.status, s.n order by s.status) as by_status
      from (
        select p.status, count(*) as n
          from public.publishers p
         where p.organization_id = o.id
         group by p.status
      ) s
  ) pub on true
  left join lateral (
    select count(*) filter (where r.status = 'queued') as queued,
           count(*) filter (where r.status = 'processing'
                              and (r.lease_expires_at is null or r.lease_expires_at > now())) as processing
      from public.agent_runs r
     where r.organization_id = o.id and r.status in ('queued', 'processing')
  ) runs on true
  left join lateral (
    select count(*) filter (where c.status = 'active') as active,
           sum(c.impressions) as impressions, sum(c.clicks) as clicks,
           sum(c.conversions) as conversions, sum(c.spend) as spend
      from public.campaigns c
     where c.organization_id = o.id
  ) camp on true;

revoke all on public.dashboard_kpis from anon, authenticated;
grant select on public.dashboard_kpis to authenticated;
