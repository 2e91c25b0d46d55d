import { territoryTopic, userTopic } from '../contract/index.ts';
import type { ChannelHandle, ChannelListener } from './channel-registry.ts';
import type { CoreContext } from './core-context.ts';
import { RealtimeError } from './realtime-error.ts';

/** The channels one stream listens on: joined as their topics become known, released together. */
export interface TopicSet {
  join(topic: string): void;
  /** Joins the user's own topic once the user is known (never for an anonymous client). */
  joinOwnUserTopic(): void;
  /**
   * Joins the topics of the territories the user may read (territories.ts) once they are known;
   * a failed read is reported and the stream keeps its other topics.
   */
  joinTerritoryTopics(): void;
  /** Releases every channel joined so far; topics that become known later are not joined. */
  release(): void;
}

export function createTopicSet(
  ctx: Pick<CoreContext, 'organizationId' | 'ready' | 'acquire' | 'territories' | 'reportError'>,
  listenerFor: (topic: string) => ChannelListener,
): TopicSet {
  const handles: ChannelHandle[] = [];
  let released = false;
  const join = (topic: string): void => {
    if (!released) handles.push(ctx.acquire(topic, listenerFor(topic)));
  };
  return {
    join,
    joinOwnUserTopic() {
      void ctx.ready.then((userId) => {
        if (userId) join(userTopic(userId));
      });
    },
    joinTerritoryTopics() {
      ctx.territories().then(
        (territories) => {
          for (const territory of territories) join(territoryTopic(ctx.organizationId, territory));
        },
        (cause: unknown) => ctx.reportError(RealtimeError.from({ kind: 'request', operation: 'territories' }, cause)),
      );
    },
    release() {
      released = true;
      for (const handle of handles.splice(0)) handle.release();
    },
  };
}
