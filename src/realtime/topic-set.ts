import { territoryTopic, userTopic } from '../contract/index.ts';
import type { ChannelHandle, ChannelListener } from './channel-types.ts';
import type { CoreContext } from './core-context.ts';
import type { TimerHandle } from './environment.ts';
import { RealtimeError } from './realtime-error.ts';

/** The channels one stream listens on: joined as their topics become known, released together. */
export interface TopicSet {
  join(topic: string): void;
  /** Joins the user's own topic once the user is known (never for an anonymous client). */
  joinOwnUserTopic(): void;
  /**
   * Joins the topics of the territories the user may read (territories.ts) once they are known,
   * and follows the user's rights: after a change it leaves the territories no longer allowed and
   * joins the new ones. A failed read is reported, the stream keeps its other topics, and the read
   * is asked again (1 s, doubling to 30 s) until it answers.
   */
  joinTerritoryTopics(): void;
  /** Releases every channel joined so far; topics that become known later are not joined. */
  release(): void;
}

/** After a failed territories read, ask again after this, doubling up to the maximum. */
const TERRITORIES_RETRY_MS = 1000;
const TERRITORIES_RETRY_MAX_MS = 30_000;

export function createTopicSet(
  ctx: Pick<
    CoreContext,
    'organizationId' | 'ready' | 'acquire' | 'territories' | 'reportError' | 'onAccessChange' | 'env'
  >,
  listenerFor: (topic: string) => ChannelListener,
): TopicSet {
  const handles: ChannelHandle[] = [];
  const territoryHandles = new Map<string, ChannelHandle>();
  const stops: (() => void)[] = [];
  let released = false;
  let retryMs = TERRITORIES_RETRY_MS;
  let retry: TimerHandle | undefined;
  const join = (topic: string): void => {
    if (!released) handles.push(ctx.acquire(topic, listenerFor(topic)));
  };

  const syncTerritories = (): void => {
    ctx.territories().then(
      (territories) => {
        if (released) return;
        retryMs = TERRITORIES_RETRY_MS;
        const wanted = new Set(territories.map((territory) => territoryTopic(ctx.organizationId, territory)));
        for (const [topic, handle] of territoryHandles) {
          if (wanted.has(topic)) continue;
          handle.release();
          territoryHandles.delete(topic);
        }
        for (const topic of wanted)
          if (!territoryHandles.has(topic)) territoryHandles.set(topic, ctx.acquire(topic, listenerFor(topic)));
      },
      (cause: unknown) => {
        ctx.reportError(RealtimeError.from({ kind: 'request', operation: 'territories' }, cause));
        // Without an answer no territory topic is joined (a busy server, a read timeout): ask
        // again, or the store would miss its territories' messages until the user's rights change.
        if (released || retry !== undefined) return;
        retry = ctx.env.timers.setTimeout(() => {
          retry = undefined;
          if (!released) syncTerritories();
        }, retryMs);
        retryMs = Math.min(retryMs * 2, TERRITORIES_RETRY_MAX_MS);
      },
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
      if (retry !== undefined) ctx.env.timers.clearTimeout(retry);
      retry = undefined;
      for (const stop of stops.splice(0)) stop();
      for (const handle of handles.splice(0)) handle.release();
      for (const handle of territoryHandles.values()) handle.release();
      territoryHandles.clear();
    },
  };
}
