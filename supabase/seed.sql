-- The demo/test fixture (docs/architecture.md "Seed fixture"). Ids, emails and the password are
-- supabase/fixture.ts's: tests, demos and scripts rely on them. Runs as postgres (not a superuser)
-- after the migrations, as `supabase db reset` runs it; the broadcast triggers fire as they would
-- for any write (realtime.send never raises).

-- ── Users (password for all: pubdev-local-password) ──
-- The token columns are '' rather than null because Supabase Auth cannot read null strings there.
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  confirmation_token, recovery_token, email_change_token_new, email_change,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at
)
select '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email,
       crypt('pubdev-local-password', gen_salt('bf')), now(),
       '', '', '', '',
       '{"provider":"email","providers":["email"]}'::jsonb, jsonb_build_object('display_name', u.display_name),
       now(), now()
  from (values
    ('a0000000-0000-4000-8000-000000000001'::uuid, 'owner@acme.test', 'Ada Okafor'),
    ('a0000000-0000-4000-8000-000000000002'::uuid, 'west@acme.test', 'Wren Walker'),
    ('a0000000-0000-4000-8000-000000000003'::uuid, 'agent@acme.test', 'Acme Agent'),
    ('b0000000-0000-4000-8000-000000000001'::uuid, 'member@globex.test', 'Gil Moreau')
  ) as u (id, email, display_name);
-- Auth's insert trigger (private.create_profile_for_new_user) gives each a profile with that name.

-- Supabase Auth signs in with email through an identity row; the local stack has no such table.
do $$
begin
  if to_regclass('auth.identities') is not null then
    execute $sql$
      insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
      select u.id::text, u.id,
             jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true),
             'email', now(), now(), now()
        from auth.users u
       where u.id in ('a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002',
                      'a0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000001')
    $sql$;
  end if;
end
$$;

-- ── Organisations and members ──
insert into public.organizations (id, name) values
  ('11111111-1111-4111-8111-111111111111', 'Acme Publishing'),
  ('22222222-2222-4222-8222-222222222222', 'Globex Media');

insert into public.organization_members (organization_id, user_id, role, territories) values
  ('11111111-1111-4111-8111-111111111111', 'a0000000-0000-4000-8000-000000000001', 'owner', '{}'),
  ('11111111-1111-4111-8111-111111111111', 'a0000000-0000-4000-8000-000000000002', 'member', '{US_West}'),
  ('11111111-1111-4111-8111-111111111111', 'a0000000-0000-4000-8000-000000000003', 'agent', '{}'),
  ('22222222-2222-4222-8222-222222222222', 'b0000000-0000-4000-8000-000000000001', 'member', '{}');

-- ── Publishers: two Acme territories (US_West, US_East) and one Globex ──
insert into public.publishers (id, organization_id, name, status, territory, owner_id, custom_fields) values
  ('c0000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'Sunrise Books', 'active', 'US_West',
   'a0000000-0000-4000-8000-000000000002', '{"genre":"fiction","titles":120}'),
  ('c0000000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', 'Pacific Press', 'prospect', 'US_West',
   null, '{"genre":"travel"}'),
  ('c0000000-0000-4000-8000-000000000003', '11111111-1111-4111-8111-111111111111', 'Harbor House', 'negotiating', 'US_East',
   'a0000000-0000-4000-8000-000000000001', '{"genre":"history"}'),
  ('c0000000-0000-4000-8000-000000000004', '11111111-1111-4111-8111-111111111111', 'Liberty Print', 'active', 'US_East',
   'a0000000-0000-4000-8000-000000000001', '{}'),
  ('c0000000-0000-4000-8000-000000000005', '22222222-2222-4222-8222-222222222222', 'Globex Tomes', 'active', 'EU_North',
   'b0000000-0000-4000-8000-000000000001', '{"genre":"science"}');

-- ── Agent runs ──
-- The enrichment run works on Sunrise Books (US_West); the others are organisation-wide. The
-- processing run gets a 60 s lease from the lifecycle trigger and, with no agent renewing it, is
-- shown stalled after that. The completion notice of the scoring run is the owner's notification
-- e0…02 below, so the trigger that would write one is held for these rows, and so is the one that
-- would add its completion to the activity stream (the team updates below are the seed's feed).
alter table public.agent_runs disable trigger agent_runs_notify;
alter table public.agent_runs disable trigger agent_runs_activity;
insert into public.agent_runs (id, organization_id, agent_id, status, progress, current_task, estimated_time, attempt, result, started_at, publisher_id) values
  ('d0000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'enrichment-agent', 'processing',
   40, 'Enriching Sunrise Books', 90, 1, null, now() - interval '2 minutes', 'c0000000-0000-4000-8000-000000000001'),
  ('d0000000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', 'scoring-agent', 'completed',
   100, 'Scored 4 publishers', 0, 1, '{"scored":4}', now() - interval '1 hour', null),
  ('d0000000-0000-4000-8000-000000000003', '22222222-2222-4222-8222-222222222222', 'enrichment-agent', 'idle',
   null, null, null, 1, null, null, null);
alter table public.agent_runs enable trigger agent_runs_notify;
alter table public.agent_runs enable trigger agent_runs_activity;

-- ── Team updates (the mention of west@acme.test also creates her mention notification) ──
insert into public.team_updates (id, organization_id, update_type, message, user_id, territory, details) values
  ('f0000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'assignment',
   'Quarterly territory plan published', 'a0000000-0000-4000-8000-000000000001', null, '{}'),
  ('f0000000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', 'assignment',
   'Sunrise Books assigned to west@acme.test', 'a0000000-0000-4000-8000-000000000001', 'US_West',
   '{"publisherId":"c0000000-0000-4000-8000-000000000001","mentions":["a0000000-0000-4000-8000-000000000002"]}'),
  ('f0000000-0000-4000-8000-000000000003', '22222222-2222-4222-8222-222222222222', 'publisher_update',
   'Globex Tomes signed', 'b0000000-0000-4000-8000-000000000001', null, '{}'),
  ('f0000000-0000-4000-8000-000000000004', '11111111-1111-4111-8111-111111111111', 'territory_change',
   'Harbor House moves to the East coast team', 'a0000000-0000-4000-8000-000000000001', 'US_East',
   '{"publisherId":"c0000000-0000-4000-8000-000000000003"}');

-- ── Notifications ──
insert into public.notifications (id, organization_id, user_id, level, message, action_url, persistent, source) values
  ('e0000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', null, 'info',
   'Weekly publisher report is ready', '/reports/weekly', false, 'system'),
  ('e0000000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', 'a0000000-0000-4000-8000-000000000001', 'success',
   'Scoring finished: 4 publishers scored', null, false, 'agent'),
  ('e0000000-0000-4000-8000-000000000003', '22222222-2222-4222-8222-222222222222', null, 'warning',
   'Globex import paused for maintenance', null, true, 'system');

-- ── Campaigns and their data points (campaign_metrics; each point adds to its campaign's totals) ──
insert into public.campaigns (id, organization_id, publisher_id, name, status) values
  ('ca000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'c0000000-0000-4000-8000-000000000001',
   'Spring list launch', 'active'),
  ('ca000000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', 'c0000000-0000-4000-8000-000000000003',
   'East coast retail push', 'active'),
  ('ca000000-0000-4000-8000-000000000003', '22222222-2222-4222-8222-222222222222', 'c0000000-0000-4000-8000-000000000005',
   'Science month', 'active');

insert into public.campaign_metrics (campaign_id, recorded_at, impressions, clicks, conversions, spend)
select c.id, now() - make_interval(mins => 10 * (c.points - p.n)), c.base * (10 + p.n), c.base * (3 + p.n) / 10,
       c.base * p.n / 40, round(c.base * (2.5 + p.n * 0.25), 2)
  from (values
    ('ca000000-0000-4000-8000-000000000001'::uuid, 120, 6),
    ('ca000000-0000-4000-8000-000000000002'::uuid, 80, 4),
    ('ca000000-0000-4000-8000-000000000003'::uuid, 50, 3)
  ) as c (id, base, points)
  cross join lateral generate_series(1, c.points) as p (n)
 order by c.id, p.n;
