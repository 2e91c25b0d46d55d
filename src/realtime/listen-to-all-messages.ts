import { orgTopic, type RealtimeMessage } from '../contract/index.ts';
import type { CoreContext } from './core-context.ts';
import { createTopicSet } from './topic-set.ts';

/**
 * Passes on every validated contract message of the user's topics (org, own user topic, readable
 * territories), once per broadcast: the source of `useWebSocket({ onMessage })`.
 * Returns stop.
 */
export function listenToAllMessages(
  ctx: CoreContext,
  onMessage: (message: RealtimeMessage, topic: string) => void,
): () => void {
  const topics = createTopicSet(ctx, (topic) => ({
    onBroadcast: (event, payload) => {
      const message = ctx.accept(topic, event, payload);
      if (message) onMessage(message, topic);
    },
  }));
  topics.join(orgTopic(ctx.organizationId));
  topics.joinOwnUserTopic();
  topics.joinTerritoryTopics();
  return topics.release;
}
