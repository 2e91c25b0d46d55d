-- Live drafts (a field being typed in a publisher record) go out through the database:
-- public.share_draft broadcasts a `draft` event as the caller on the publisher's read-only record
-- topic (docs/security.md "Identity on presence and activity").
--
-- RATIONALE: a draft a client broadcasts on the collaboration topic names its author in the
-- payload, which Realtime's policies never see: any collaborator could make a colleague appear
-- to be typing anything. Here the author is `auth.uid()`, the caller must be a person who may
-- edit the record, and the record topic takes no client broadcast. The topic is the record's
-- current territory's, so a draft never reaches anyone who may not read the record.

-- Broadcasts the caller's draft of `field` (`value` null: the draft was discarded) to the
-- publisher's record topic. Errors (PostgREST status):
--   42501 (403) not a person who may edit the publisher (or no such publisher: indistinguishable);
--   22023 (400) a malformed field name, or a value over 8 KB of JSON.
create or replace function private.share_draft(publisher_id uuid, field text, value jsonb default null) returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  person constant uuid := (select auth.uid());
  target public.publishers;
begin
  if share_draft.field is null or share_draft.field !~ '^[A-Za-z0-9_.-]{1,100}$' then
    raise exception 'field must match ^[A-Za-z0-9_.-]{1,100}$' using errcode = '22023';
  end if;
  if octet_length(coalesce(share_draft.value, 'null'::jsonb)::text) > 8192 then
    raise exception 'a draft value must be at most 8 KB of JSON' using errcode = '22023';
  end if;
  select p.* into target from public.publishers p where p.id = share_draft.publisher_id;
  if person is null or not found or not private.is_human_member(target.organization_id)
     or not private.member_can_see_territory(target.organization_id, target.territory) then
    raise exception 'you may not edit publisher %', share_draft.publisher_id using errcode = '42501';
  end if;
  perform realtime.send(
    jsonb_build_object(
      'publisherId', target.id,
      'field', share_draft.field,
      'value', coalesce(share_draft.value, 'null'::jsonb),
      'userId', person,
      'timestamp', private.iso_timestamp(clock_timestamp())
    ),
    'draft',
    private.publisher_record_topic(target.organization_id, target.territory, target.id),
    true
  );
end;
$$;

revoke execute on function private.share_draft(uuid, text, jsonb) from public, anon;
grant execute on function private.share_draft(uuid, text, jsonb) to authenticated;

-- ── The API: security-invoker entries PostgREST serves as /rpc; the definers above do the work ──
-- RATIONALE: a security-definer function in an exposed schema is an Advisor warning (0028/0029):
-- it keeps the definer's rights out of `public`, and the wrapper is all the API can call.

create or replace function public.share_draft(publisher_id uuid, field text, value jsonb default null)
returns void
language sql volatile security invoker set search_path = ''
as $$ select private.share_draft(publisher_id, field, value) $$;

revoke execute on function
  public.share_draft(uuid, text, jsonb)
  from public, anon;
grant execute on function
  public.share_draft(uuid, text, jsonb)
  to authenticated;
