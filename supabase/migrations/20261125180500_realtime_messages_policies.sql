-- Who may join and send on which private channel (docs/architecture.md "Topics and who may do what").
-- Realtime asks these policies on join (read) and on first send/track (write), with
-- `realtime.topic()` set to the channel name (docs/realtime-protocol.md §6.2, §6.3). The topic
-- grammar and the decisions live in private.can_read_topic / private.can_write_topic
-- (topic_policies, which mirrors src/contract/topic-policy.ts); `(select …)` makes each an init
-- plan, evaluated once per statement rather than once per probe row.
-- Rows must also carry the topic being authorised, so these policies never let a reader of one
-- topic select another topic's stored messages.

create policy "members read the topics they may join" on realtime.messages
  for select to authenticated
  using (
    realtime.messages.extension in ('broadcast', 'presence')
    and realtime.messages.topic = (select realtime.topic())
    and (select private.can_read_topic((select realtime.topic())))
  );

create policy "members send presence and broadcast where the topic allows" on realtime.messages
  for insert to authenticated
  with check (
    realtime.messages.topic = (select realtime.topic())
    and private.can_write_topic((select realtime.topic()), realtime.messages.extension)
  );
