import { parseMessage, parseTopic, topicCarries, type RealtimeMessage } from '../contract/index.ts';
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
