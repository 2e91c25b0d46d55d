-- Live delivery of activity items and @mentions (docs/data-model.md "Activity stream"): the
-- team_updates broadcast trigger learns the subject publisher (activity_feed), and a mention
-- becomes a notification that links to the item and stays until read.
-- supersedes: function private.team_updates_broadcast
--
-- A mention reaches only members who may read the item it is in (private.person_can_see_territory):
-- the notification quotes the item on the member's personal topic, so a mention in a US_East item
-- must not tell a US_West member what it says. Ids of anyone else are ignored, as ids of other
-- organisations always were. Further:
--   - an item about a publisher without a territory goes to that publisher's record topic
--     (`org:<org>:unassigned:publisher:<id>`, readable by who may read the publisher), never to
--     the org topic, which members limited to some territories read too; and, like the
--     publisher, it mentions only members who may see unassigned publishers;
--   - a mention notification carries action_url `/#update-<id>` (the item in the dashboard's
--     activity list) and is persistent: it is addressed to one person and stays until read.

create or replace function private.team_updates_broadcast() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.send(
    jsonb_build_object(
      'id', new.id,
      'type', 'team_update',
      'timestamp', private.iso_timestamp(new.created_at),
      'data', jsonb_build_object(
        'updateType', new.update_type,
        'message', new.message,
        'userId', new.user_id,
        'territory', new.territory,
        'details', new.details
      )
    ),
    'team_update',
    case
      when new.territory is not null then 'org:' || new.organization_id::text || ':territory:' || new.territory
      when new.publisher_id is not null then private.publisher_record_topic(new.organization_id, null, new.publisher_id)
      else 'org:' || new.organization_id::text
    end,
    true
  );
  -- @mentions notify each mentioned member of this organisation once, if they may read the item
  -- (the notification quotes it): an org-wide item every member, one scoped to a territory — or
  -- about a publisher without one — only members who may see that territory. Ids of anyone else
  -- are ignored, so a mention can never reach across organisations.
  if jsonb_typeof(new.details -> 'mentions') = 'array' then
    insert into public.notifications (organization_id, user_id, level, message, action_url, persistent, source)
    select new.organization_id, m.user_id, 'info', left('You were mentioned: ' || new.message, 2000),
           '/#update-' || new.id::text, true, 'mention'
      from public.organization_members m
     where m.organization_id = new.organization_id
       and m.user_id::text in (select jsonb_array_elements_text(new.details -> 'mentions'))
       and ((new.territory is null and new.publisher_id is null)
            or private.person_can_see_territory(new.organization_id, m.user_id, new.territory))
     order by m.user_id;
  end if;
  return null;
end;
$$;
