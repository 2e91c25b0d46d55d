-- @mentions reach only members who may read the update they are in.
-- supersedes: function private.team_updates_broadcast
--
-- RATIONALE: the mention notification quotes the update ("You were mentioned: <message>") on the
-- member's personal topic, so a mention in a US_East update told a US_West member what the
-- update said. Now a territory update mentions only members allowed its territory (org-wide ones
-- mention every member, as before); ids of anyone else are ignored, as ids of other
-- organisations always were. Otherwise unchanged from broadcast_triggers.

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
      when new.territory is null then 'org:' || new.organization_id::text
      else 'org:' || new.organization_id::text || ':territory:' || new.territory
    end,
    true
  );
  if jsonb_typeof(new.details -> 'mentions') = 'array' then
    insert into public.notifications (organization_id, user_id, level, message, persistent, source)
    select new.organization_id, m.user_id, 'info', left('You were mentioned: ' || new.message, 2000), false, 'mention'
      from public.organization_members m
     where m.organization_id = new.organization_id
       and m.user_id::text in (select jsonb_array_elements_text(new.details -> 'mentions'))
       and (new.territory is null or private.person_can_see_territory(new.organization_id, m.user_id, new.territory))
     order by m.user_id;
  end if;
  return null;
end;
$$;
