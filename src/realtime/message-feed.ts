import { activityTopic, orgTopic, territoryTopic, userTopic, type RealtimeMessage } from '../contract/index.ts';
import type { ChannelHandle } from './channel-registry.ts';
import type { CoreContext } from './core-context.ts';
import { reportTerritoriesFailure } from './territories.ts';

/**
 * Every validated contract message of the user's topics (org, activity, own user topic, readable
 * territories), once per broadcast, for `useWebSocket({ onMessage })`. Returns release.
 */
export function createMessageFeed(
  ctx: CoreContext,
  emit: (message: RealtimeMessage, topic: string) => void,
): () => void {
  const handles: ChannelHandle[] = [];
  let stopped = false;
  const listen = (topic: string): void => {
    handles.push(
      ctx.acquire(topic, {
        onBroadcast: (event, payload) => {
          const message = ctx.accept(topic, event, payload);
          if (message) emit(message, topic);
        },
      }),
    );
  };
  listen(orgTopic(ctx.organizationId));
  listen(activityTopic(ctx.organizationId));
  void ctx.ready
    .then(async (userId) => {
      if (stopped || userId === null) return;
      listen(userTopic(userId));
      for (const territory of await ctx.territories())
        if (!stopped) listen(territoryTopic(ctx.organizationId, territory));
    })
    .catch(reportTerritoriesFailure(ctx));
  return () => {
    stopped = true;
    for (const handle of handles.splice(0)) handle.release();
  };
}
