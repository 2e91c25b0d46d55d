import type { PayloadEncoding } from './serializer.ts';
import { SharedFrames } from './shared-frames.ts';

/**
 * In-process pub/sub between channels of one stack (the local Realtime is a single tenant).
 * Public and private channels of the same name are separate namespaces (§2.1): a broadcast on
 * private `room1` never reaches public `room1`, from clients, REST or the database alike.
 */

export function namespaceKey(isPrivate: boolean, subTopic: string): string {
  return `${isPrivate ? 'private' : 'public'}:${subTopic}`;
}

export interface PresenceDiff {
  joins: Record<string, { metas: Array<Record<string, unknown>> }>;
  leaves: Record<string, { metas: Array<Record<string, unknown>> }>;
}

/** What a subscriber receives; each channel renders it for its own topic and vsn (§3.2). */
export type Delivery =
  /** A `Phoenix.Socket.Broadcast` with a map payload: V1 pushes, V2 text pushes, the REST batch. */
  | { kind: 'json_broadcast'; payload: Record<string, unknown> }
  /** A `UserBroadcast`: V2 kind-3 pushes, the single REST endpoint, the database. */
  | {
      kind: 'user_broadcast';
      event: string;
      metadata: Record<string, unknown> | null;
      encoding: PayloadEncoding;
      payload: Uint8Array;
    }
  | { kind: 'presence_diff'; diff: PresenceDiff };

export interface BrokerSubscriber {
  /** `frames`: the encodings of this delivery, shared by every subscriber of one publish. */
  deliver(delivery: Delivery, frames: SharedFrames): void;
}

export class Broker {
  private readonly topics = new Map<string, Set<BrokerSubscriber>>();

  subscribe(key: string, subscriber: BrokerSubscriber): void {
    let set = this.topics.get(key);
    if (!set) this.topics.set(key, (set = new Set()));
    set.add(subscriber);
  }

  unsubscribe(key: string, subscriber: BrokerSubscriber): void {
    const set = this.topics.get(key);
    if (!set) return;
    set.delete(subscriber);
    if (set.size === 0) this.topics.delete(key);
  }

  /** How many channels are joined to `key` (what tests read to see that a leave really left). */
  subscriberCount(key: string): number {
    return this.topics.get(key)?.size ?? 0;
  }

  /** Channels joined across every namespace (a soak watches this for leaks). */
  totalSubscribers(): number {
    let total = 0;
    for (const set of this.topics.values()) total += set.size;
    return total;
  }

  /** Delivers to every subscriber of `key` but `except` (broadcast `self: false`, §3.3). */
  publish(key: string, delivery: Delivery, except?: BrokerSubscriber): void {
    const set = this.topics.get(key);
    if (!set) return;
    const frames = new SharedFrames(delivery);
    // A delivery may close a channel (rate limit), which unsubscribes it: iterate over a copy.
    for (const subscriber of Array.from(set)) {
      if (subscriber !== except) subscriber.deliver(delivery, frames);
    }
  }
}
