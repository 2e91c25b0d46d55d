-- Issue 7: publisher_update goes to the publisher's read-only record topic and its territory
-- topic only (never to a topic clients may write), and both are the CURRENT territory's. When the
-- territory changes, the old record topic and the old territory topic hear one minimal "moved"
-- notice and nothing else: a publisher_update with field `territory`, `oldValue` the territory it
-- left, no `newValue` and no editor, so a member who may not follow the record learns only that
-- it left. Its id is the territory change's id ("<publisherId>:<version>:territory"): the same
-- change, told with less.

-- `org:<org>:territory:<territory>:publisher:<id>`, or `org:<org>:unassigned:publisher:<id>`
-- (src/contract/topics.ts publisherRecordTopic).
create or replace function private.publisher_record_topic(org uuid, territory text, publisher uuid) returns text
language sql immutable set search_path = ''
as $$
  select 'org:' || org::text
    || case when territory is null then ':unassigned' else ':territory:' || territory end
    || ':publisher:' || publisher::text
$$;

create or replace function private.publishers_broadcast() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  changed record;
  message jsonb;
  record_topic text := private.publisher_record_topic(new.organization_id, new.territory, new.id);
begin
  if new.version = old.version then
    return null;
  end if;
  for changed in
    select f.field, f.old_value, f.new_value
      from (values
        ('name', to_jsonb(old.name), to_jsonb(new.name)),
        ('status', to_jsonb(old.status), to_jsonb(new.status)),
        ('territory', to_jsonb(old.territory), to_jsonb(new.territory)),
        ('owner_id', to_jsonb(old.owner_id), to_jsonb(new.owner_id)),
        ('custom_fields', old.custom_fields, new.custom_fields)
      ) as f (field, old_value, new_value)
     where f.old_value is distinct from f.new_value
  loop
    message := jsonb_build_object(
      'id', new.id::text || ':' || new.version::text || ':' || changed.field,
      'type', 'publisher_update',
      'version', new.version,
      'timestamp', private.iso_timestamp(new.updated_at),
      'data', jsonb_build_object(
        'publisherId', new.id,
        'update', jsonb_build_object(
          'field', changed.field,
          'oldValue', coalesce(changed.old_value, 'null'::jsonb),
          'newValue', coalesce(changed.new_value, 'null'::jsonb),
          'updatedBy', new.updated_by
        )
      )
    );
    perform realtime.send(message, 'publisher_update', record_topic, true);
    if new.territory is not null then
      perform realtime.send(message, 'publisher_update',
        'org:' || new.organization_id::text || ':territory:' || new.territory, true);
    end if;
  end loop;

  if new.territory is distinct from old.territory then
    message := jsonb_build_object(
      'id', new.id::text || ':' || new.version::text || ':territory',
      'type', 'publisher_update',
      'version', new.version,
      'timestamp', private.iso_timestamp(new.updated_at),
      'data', jsonb_build_object(
        'publisherId', new.id,
        'update', jsonb_build_object(
          'field', 'territory',
          'oldValue', coalesce(to_jsonb(old.territory), 'null'::jsonb),
          'updatedBy', null
        )
      )
    );
    perform realtime.send(message, 'publisher_update',
      private.publisher_record_topic(new.organization_id, old.territory, new.id), true);
    if old.territory is not null then
      perform realtime.send(message, 'publisher_update',
        'org:' || new.organization_id::text || ':territory:' || old.territory, true);
    end if;
  end if;
  return null;
end;
$$;

revoke execute on function private.publishers_broadcast() from public, anon, authenticated;
revoke execute on function private.publisher_record_topic(uuid, text, uuid) from public;
grant execute on function private.publisher_record_topic(uuid, text, uuid) to anon, authenticated, service_role;
