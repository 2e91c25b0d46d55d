import type { ReadPolicies } from '../db/index.ts';
import type { PresenceDiff } from './broker.ts';
import { presencePushSchema } from './frames.ts';
import type { SharedFrames } from './shared-frames.ts';
import { WindowLimit } from './rate-counter.ts';
import { jsonBytes } from './serializer.ts';
import { payloadTooLarge, takePresenceEvent, type Tenant } from './tenant.ts';

/** What presence needs from its channel. */
export interface PresenceChannel {
  readonly tenant: Tenant;
  readonly namespace: string;
  readonly subTopic: string;
  readonly isPrivate: boolean;
  readonly isClosed: boolean;
  /** Pushes an event to this channel's client. */
  push(event: string, payload: unknown): void;
  /** Pushes the fan-out delivery of `frames` (a presence diff) with the encoding shared by its other receivers. */
  pushShared(frames: SharedFrames): void;
  reply(ref: string | null, status: 'ok' | 'error', response: unknown): void;
  shutdown(message: string): void;
  /** Presence write (and, when the join skipped it, presence read) for a first track on a private channel (§4.2). */
  authorizeTrack(readUnknown: boolean): Promise<{ write: boolean; read?: boolean }>;
}

export interface PresenceInit {
  enabled: boolean;
  /** The key this channel tracks under (generated when the client sent none, §2.2). */
  key: string;
  /** The private channel's read policies from the join, when presence was evaluated there. */
  policies: ReadPolicies | undefined;
}

/**
 * One channel's side of Presence (§4): its tracked meta, the diffs it receives, the
 * `presence_state` after the join, and the client's presence rate limit (§4.4).
 */
export class ChannelPresence {
  private enabled: boolean;
  /**
   * Presence read: always true on public channels; on private ones evaluated at join only when
   * presence was enabled then, else `undefined` until a track evaluates it (§4.2).
   */
  private read: boolean | undefined;
  /**
   * The presence read the fan-out was set up with (Realtime's fastlane metadata): fixed at join and
   * on `access_token`, not by a track — which decides how diffs reach this channel (see deliverDiff).
   */
  private fanoutRead: boolean | undefined;
  private readonly limit: WindowLimit;
  private readonly key: string;

  constructor(
    private readonly channel: PresenceChannel,
    init: PresenceInit,
  ) {
    this.enabled = init.enabled;
    this.key = init.key;
    this.read = channel.isPrivate ? (init.enabled ? (init.policies?.presence ?? false) : undefined) : true;
    this.fanoutRead = this.read;
    const { clientPresenceMaxCalls, clientPresenceWindowMs } = channel.tenant.config.realtime;
    this.limit = new WindowLimit(clientPresenceMaxCalls, clientPresenceWindowMs, channel.tenant.clock.now);
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  /** `sync_presence` after the join reply (§2.5); over the tenant's presence rate the channel is shut down instead (§4.4). */
  syncAfterJoin(): void {
    if (!this.enabled || this.read !== true) return;
    const { tenant, namespace } = this.channel;
    if (!takePresenceEvent(tenant)) {
      this.channel.shutdown('Too many presence messages per second');
      return;
    }
    this.channel.push('presence_state', tenant.presence.state(namespace));
  }

  /** Whether refreshed read policies take away presence read (§6.5: the channel then closes). */
  losesRead(policies: ReadPolicies): boolean {
    return this.read === true && !policies.presence;
  }

  /** Realtime re-subscribes the fan-out with the new policies after `access_token` (`maybe_resubscribe_fastlane`). */
  applyPolicies(policies: ReadPolicies): void {
    this.read = this.enabled ? policies.presence : undefined;
    this.fanoutRead = this.read;
  }

  /** [RT] message_dispatcher.ex, presence branch (§4.2, §4.4). */
  deliverDiff(frames: SharedFrames): void {
    switch (this.fanoutRead) {
      case false:
        return;
      case true:
        // Fan-out deliveries count on the tenant's presence counter; receivers don't check it.
        this.channel.tenant.presenceEvents.add();
        this.channel.pushShared(frames);
        return;
      case undefined:
        // Read was never evaluated at join: Realtime routes the diff through the channel process
        // (`authorize_presence_diff`), which delivers it only if a track has since authorised
        // presence read — and doesn't count it.
        if (this.read === true) this.channel.pushShared(frames);
        return;
    }
  }

  /** A `presence` push: track or untrack (§4.1). */
  async handle(ref: string | null, raw: unknown): Promise<void> {
    // Every presence message counts, even a no-op re-track (§4.4).
    if (!this.limit.take()) {
      this.channel.shutdown('Client presence rate limit exceeded');
      return;
    }
    const parsed = presencePushSchema.safeParse(raw);
    if (!parsed.success || parsed.data.event === undefined) {
      this.channel.reply(ref, 'ok', {});
      return;
    }
    switch (parsed.data.event.toLowerCase()) {
      case 'track':
        await this.track(ref, parsed.data.payload);
        return;
      case 'untrack':
        this.channel.reply(ref, 'ok', {});
        this.leave();
        return;
      default:
        this.channel.reply(ref, 'error', {});
    }
  }

  /** Removes this channel's meta and tells the topic (untrack, or the channel stopping). */
  leave(): void {
    const { tenant, namespace } = this.channel;
    const diff = tenant.presence.untrack(namespace, this);
    if (diff) this.publish(diff);
  }

  private async track(ref: string | null, meta: unknown): Promise<void> {
    const { channel } = this;
    const { tenant, namespace } = channel;
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
      channel.reply(ref, 'error', { reason: 'Presence track payload must be a map' });
      return;
    }
    if (payloadTooLarge(tenant, jsonBytes(meta).byteLength)) {
      channel.shutdown('Track message size exceeded');
      return;
    }
    if (channel.isPrivate) {
      const readUnknown = this.read === undefined;
      const allowed = await channel.authorizeTrack(readUnknown);
      if (!allowed.write) {
        channel.reply(ref, 'error', {
          reason: `Unauthorized: You do not have permissions to track presence on this Channel topic: ${channel.subTopic}`,
        });
        return;
      }
      // Realtime keeps a read evaluated by the track only when the track goes ahead.
      if (readUnknown && allowed.read !== undefined && !channel.isClosed) this.read = allowed.read;
    }
    if (channel.isClosed) return;
    const payload = meta as Record<string, unknown>;
    // An identical re-track is a no-op and, being no presence event, isn't counted (§4.2).
    if (tenant.presence.isUnchanged(namespace, this, this.key, payload)) {
      channel.reply(ref, 'ok', {});
      return;
    }
    if (!takePresenceEvent(tenant)) {
      channel.shutdown('Too many presence messages per second');
      return;
    }
    // A track auto-enables presence, without a presence_state (§4.2).
    this.enabled = true;
    const diff = tenant.presence.track(namespace, this, this.key, payload);
    channel.reply(ref, 'ok', {});
    if (diff) this.publish(diff);
  }

  private publish(diff: PresenceDiff): void {
    // Diffs go to every subscriber, the tracker included (§4.2).
    this.channel.tenant.broker.publish(this.channel.namespace, { kind: 'presence_diff', diff });
  }
}
