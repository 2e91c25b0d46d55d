import type { BrokerSubscriber, Delivery } from './broker.ts';
import { messageId, type ReplayMessage } from './replay.ts';
import type { SharedFrames } from './shared-frames.ts';
import { admitBroadcast, broadcastSize, publishBroadcast, type Tenant } from './tenant.ts';

/** What broadcast needs from its channel. */
export interface BroadcastChannel {
  readonly tenant: Tenant;
  readonly subTopic: string;
  readonly isPrivate: boolean;
  readonly isClosed: boolean;
  /** The join's `config.broadcast.ack` and `.self` (§2.2). */
  readonly ack: boolean;
  readonly self: boolean;
  /** The channel as the broker knows it: left out of its own publishes unless `self`. */
  readonly subscriber: BrokerSubscriber;
  /** Broadcast read: false when the channel was admitted by presence read only (§3.3). */
  canReadBroadcast(): boolean;
  /** Broadcast write on a private channel, checked on first send and cached (§6.3). */
  canWrite(): Promise<boolean>;
  reply(ref: string | null, status: 'ok' | 'error', response: unknown): void;
  /** Pushes the fan-out delivery of `frames` with the encoding shared by its other receivers. */
  pushShared(frames: SharedFrames): void;
  shutdown(message: string): void;
}

type BroadcastDelivery = Extract<Delivery, { kind: 'json_broadcast' | 'user_broadcast' }>;

/**
 * One channel's side of Broadcast (§3): what it receives (replayed ids dropped, read policy, the
 * tenant's events/s counter) and what its client sends (size limit, write policy, ack, fan-out).
 */
export class ChannelBroadcast {
  /** Ids of the broadcasts replayed at join; live copies of them are dropped (§3.4). */
  private readonly replayedIds: ReadonlySet<string>;

  constructor(
    private readonly channel: BroadcastChannel,
    replay: readonly ReplayMessage[],
  ) {
    this.replayedIds = new Set(replay.map((m) => m.metadata?.id).filter((id): id is string => typeof id === 'string'));
  }

  /** A broadcast published on this channel's topic, on its way to the client. */
  deliver(delivery: BroadcastDelivery, frames: SharedFrames): void {
    // A live copy of a message this subscriber already got by replay is dropped, uncounted (§3.4).
    if (this.replayedIds.size > 0) {
      const id = messageId(delivery);
      if (id !== undefined && this.replayedIds.has(id)) return;
    }
    // Admitted by presence read only → no broadcasts (§3.3 receive side).
    if (!this.channel.canReadBroadcast()) return;
    const { events } = this.channel.tenant;
    events.add();
    if (events.triggered()) {
      // Every receiving channel re-checks the tenant counter and shuts down over it (§8.3).
      this.channel.shutdown('Too many messages per second');
      return;
    }
    this.channel.pushShared(frames);
  }

  /** The client's broadcast (a JSON push or a binary user broadcast). */
  async send(ref: string | null, delivery: BroadcastDelivery, wireBytes?: number): Promise<void> {
    const { tenant, isPrivate, ack } = this.channel;
    const size = broadcastSize(tenant, delivery, wireBytes);
    if (admitBroadcast(tenant, size, { checkRate: false })) {
      // The server's response is the bare atom, JSON-encoded (§3.3; inferred from the code, §11).
      if (ack) this.channel.reply(ref, 'error', 'payload_size_exceeded');
      return;
    }
    // Denied private writes are dropped with no reply even with ack: the client sees "timed out" (§3.3).
    if (isPrivate && !(await this.channel.canWrite())) return;
    if (this.channel.isClosed) return;
    if (ack) this.channel.reply(ref, 'ok', {});
    publishBroadcast(
      tenant,
      { isPrivate, topic: this.channel.subTopic },
      delivery,
      this.channel.self ? undefined : this.channel.subscriber,
    );
  }
}
