-- Local stack only: how the local Realtime server learns about new messages. Supabase streams
-- realtime.messages inserts over logical replication (§7.2). The local stack gets the same signal
-- from a NOTIFY that fires at commit; probe rows that are rolled back (§6.2, §6.3) never notify,
-- exactly like they never reach the replication stream. Idempotent.

-- A fixed search_path on every function of pubdev_local: callers cannot shadow what it calls.
create or replace function pubdev_local.notify_realtime_message() returns trigger
language plpgsql set search_path = ''
as $$
begin
  perform pg_notify('pubdev_realtime_messages', json_build_object('id', new.id, 'inserted_at', new.inserted_at)::text);
  return null;
end;
$$;

drop trigger if exists pubdev_local_notify on realtime.messages;
create trigger pubdev_local_notify
  after insert on realtime.messages
  for each row execute function pubdev_local.notify_realtime_message();
