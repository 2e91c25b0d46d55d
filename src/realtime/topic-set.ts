import { territoryTopic, userTopic } from '../contract/index.ts';
import type { ChannelHandle, ChannelListener } from './channel-types.ts';
import type { CoreContext } from './core-context.ts';
import { RealtimeError } from './realtime-error.ts';

/** The channels one stream listens on: joined as their topics become known, released together. */
export interface TopicSet {
  join(topic: string): void;
  /** Joins the user's own topic once the user is known (never for an anonymous client). */
  joinOwnUserTopic(): void;
  /**
   * Joins the topics of the territories the user may read (territories.ts) once they are known,
   * and follows the user's rights: after a change it leaves the territories no longer allowed and
   * joins the new ones. A failed read is reported and the stream keeps its other topics.
   */
  joinTerritoryTopics(): void;
  /** Releases every channel joined so far; topics that become known later are not joined. */
  release(): void;
}

export function createTopicSet(
  ctx: Pick<CoreContext, 'organizationId' | 'ready' | 'acquire' | 'territories' | 'reportError' | 'onAccessChange'>,
  listenerFor: (topic: string) => ChannelListener,
): TopicSet {
  const handles: ChannelHandle[] = [];
  const territoryHandles = new Map<string, ChannelHandle>();
  const stops: (() => void)[] = [];
  let released = false;
  const join = (topic: string): void => {
    if (!released) handles.push(ctx.acquire(topic, listenerFor(topic)));
  };

  const syncTerritories = (): void => {
    ctx.territories().then(
      (territories) => {
        if (released) return;
        const wanted = new Set(territories.map((territory) => territoryTopic(ctx.organizationId, territory)));
        for (const [topic, handle] of territoryHandles) {
          if (wanted.has(topic)) continue;
          handle.release();
          territoryHandles.delete(topic);
        }
        for (const topic of wanted)
          if (!territoryHandles.has(topic)) territoryHandles.set(topic, ctx.acquire(topic, listenerFor(topic)));
      },
      (cause: unknown) => ctx.reportError(RealtimeError.from({ kind: 'request', operation: 'territories' }, cause)),
    );
  };

  return {
    join,
    joinOwnUserTopic() {
      void ctx.ready.then((userId) => {
        if (userId) join(userTopic(userId));
      });
    },
    joinTerritoryTopics() {
      syncTerritories();
      stops.push(ctx.onAccessChange(syncTerritories));
    },
    release() {
      released = true;
      for (const stop of stops.splice(0)) stop();
      for (const handle of handles.splice(0)) handle.release();
      for (const handle of territoryHandles.values()) handle.release();
      territoryHandles.clear();
    },
  };
}
