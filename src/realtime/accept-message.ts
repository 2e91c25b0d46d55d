import {
  parseMessage,
  parseTopic,
  parseTopicEvent,
  topicCarries,
  topicCarriesEvent,
  type RealtimeMessage,
  type TopicEvent,
  type TopicEventPayloads,
} from '../contract/index.ts';
import { RealtimeError } from './realtime-error.ts';

export type AcceptResult =
  | { readonly ok: true; readonly message: RealtimeMessage }
  | { readonly ok: false; readonly error: RealtimeError };

/**
 * The gate every broadcast passes before it reaches a store: the payload must follow the contract,
 * its event must be its type, and its topic's kind must carry that type (TOPIC_POLICIES). Realtime
 * authorises writes per topic, not per event, so this is what keeps a `notification` forged on a
 * collaborative topic (where members may broadcast) out of the notification store.
 */
export function acceptMessage(topic: string, event: string, payload: unknown): AcceptResult {
  const context = { kind: 'invalid_message', topic, event } as const;
  const parsed = parseMessage(payload);
  if (!parsed.ok) return { ok: false, error: RealtimeError.from(context, parsed.error) };
  const { message } = parsed;
  if (message.type !== event) {
    return {
      ok: false,
      error: new RealtimeError(context, `event ${JSON.stringify(event)} carries a ${message.type} message`),
    };
  }
  const kind = parseTopic(topic)?.kind;
  if (!kind || !topicCarries(kind, message.type)) {
    return { ok: false, error: new RealtimeError(context, `${message.type} is not accepted on ${topic}`) };
  }
  return { ok: true, message };
}

/**
 * The same gate for topic events (`draft`, `member_change`, `profile_change`): the payload must
 * follow its schema and the topic's kind must carry the event, so a `member_change` a member
 * broadcasts on a collaborative topic is dropped (only the database writes the topics that carry it).
 */
export function acceptTopicEvent<E extends TopicEvent>(
  topic: string,
  event: E,
  payload: unknown,
):
  | { readonly ok: true; readonly value: TopicEventPayloads[E] }
  | { readonly ok: false; readonly error: RealtimeError } {
  const context = { kind: 'invalid_message', topic, event } as const;
  const kind = parseTopic(topic)?.kind;
  if (!kind || !topicCarriesEvent(kind, event)) {
    return { ok: false, error: new RealtimeError(context, `${event} is not accepted on ${topic}`) };
  }
  const parsed = parseTopicEvent(event, payload);
  if (!parsed.ok) return { ok: false, error: RealtimeError.from(context, parsed.error) };
  return { ok: true, value: parsed.value };
}
