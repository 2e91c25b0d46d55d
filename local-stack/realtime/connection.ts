import { systemClock } from '../clock.ts';
import { errorStack } from '../errors.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, type RawData } from 'ws';
import type { ChannelHost } from './channel-host.ts';
import type { Channel } from './channel.ts';
import { joinChannel, type JoinResult } from './join-channel.ts';
import type { ConnectGrant } from './connect-auth.ts';
import { decodeFrame, encodeFrame, type Inbound, type InboundMessage, type Outbound } from './serializer.ts';
import { toWireFrame, type SharedFrames, type WireFrame } from './shared-frames.ts';
import type { Tenant } from './tenant.ts';

/** "Going Away": how Realtime closes a socket after refusing a join for joins/s (§1.6, §2.4). */
const CLOSE_GOING_AWAY = 1001;
const CLOSE_NORMAL = 1000;

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * One WebSocket: Phoenix's socket process (§1). Frames are decoded per the socket's vsn,
 * `phoenix` heartbeats answered at once, and everything else processed in order per topic — so
 * a slow join or policy check on one channel never holds up another, while one channel's
 * messages keep their order, as with Realtime's process per channel.
 */
export class Connection implements ChannelHost {
  private readonly channels = new Map<string, Channel>();
  private readonly queues = new Map<string, Promise<void>>();
  private pendingJoins = 0;
  private cancelIdle: (() => void) | undefined;
  private open = true;
  /** Realtime counts a socket toward `maxConcurrentUsers` from its first successful join (`UsersCounter.add`). */
  private counted = false;

  constructor(
    readonly tenant: Tenant,
    readonly grant: ConnectGrant,
    private readonly ws: WebSocket,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(toBuffer(data), isBinary));
    ws.on('close', () => this.onClose());
    // Oversized frames (1009) and protocol errors arrive here; ws then closes this socket only.
    ws.on('error', (error) => tenant.log(`realtime: socket error: ${error.message}`));
    this.touch();
  }

  send(message: Outbound): void {
    this.write(toWireFrame(encodeFrame(this.grant.vsn, message)));
  }

  sendShared(frames: SharedFrames, topic: string): void {
    if (this.open) this.write(frames.get(this.grant.vsn, topic));
  }

  private write(frame: WireFrame | null): void {
    if (frame === null || !this.open || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(frame.data, frame.options);
  }

  released(channel: Channel): void {
    if (this.channels.get(channel.topic) === channel) this.channels.delete(channel.topic);
  }

  closeSocket(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  /** Ends every channel of this socket with a `system` error `message`, then `phx_close`; the socket stays. */
  shutdownChannels(message: string): void {
    for (const channel of [...this.channels.values()]) channel.shutdown(message);
  }

  /** Runs once when the socket has closed (the service forgets it). */
  onClosed(listener: () => void): void {
    this.ws.once('close', listener);
  }

  /** Phoenix closes a socket that sent nothing for `idleTimeoutMs` (§1.5). */
  private touch(): void {
    // RATIONALE: on the system clock, not the tenant's: the client's heartbeats that keep the
    // socket alive run on real time, so a test that jumps the tenant's clock past a rate window
    // must not make every socket look idle.
    this.cancelIdle?.();
    this.cancelIdle = systemClock.setTimer(
      () => this.ws.close(CLOSE_NORMAL, 'idle timeout'),
      this.tenant.config.realtime.idleTimeoutMs,
    );
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.touch();
    const decoded = decodeFrame(this.grant.vsn, data, isBinary);
    if (!decoded.ok) {
      // Realtime logs MalformedWebSocketMessage and keeps the connection (§1.4.2).
      this.tenant.log(`realtime: dropped frame: ${decoded.error}`);
      return;
    }
    const frame = decoded.frame;
    if (frame.kind === 'message' && frame.topic === 'phoenix' && frame.event === 'heartbeat') {
      this.send({
        kind: 'message',
        joinRef: null,
        ref: frame.ref,
        topic: 'phoenix',
        event: 'phx_reply',
        payload: { status: 'ok', response: {} },
      });
      return;
    }
    const previous = this.queues.get(frame.topic) ?? Promise.resolve();
    const next = previous
      .then(() => this.process(frame))
      .catch((error: unknown) => this.tenant.log(`realtime: error on ${frame.topic}: ${errorStack(error)}`))
      .finally(() => {
        if (this.queues.get(frame.topic) === next) this.queues.delete(frame.topic);
      });
    this.queues.set(frame.topic, next);
  }

  private async process(frame: Inbound): Promise<void> {
    if (!this.open) return;
    if (frame.kind === 'message' && frame.event === 'phx_join') {
      await this.join(frame);
      return;
    }
    const channel = this.channels.get(frame.topic);
    if (channel) {
      await channel.handle(frame);
      return;
    }
    // Phoenix answers pushes to topics this socket hasn't joined (§2.1); a leave is still ok (§2.6).
    const ok = frame.kind === 'message' && frame.event === 'phx_leave';
    this.send({
      kind: 'message',
      joinRef: frame.joinRef,
      ref: frame.ref,
      topic: frame.topic,
      event: 'phx_reply',
      payload: ok ? { status: 'ok', response: {} } : { status: 'error', response: { reason: 'unmatched topic' } },
    });
  }

  private async join(frame: InboundMessage): Promise<void> {
    const joinRef = frame.joinRef ?? frame.ref;
    const reply = (status: 'ok' | 'error', response: unknown) =>
      this.send({
        kind: 'message',
        joinRef,
        ref: frame.ref,
        topic: frame.topic,
        event: 'phx_reply',
        payload: { status, response },
      });
    if (!frame.topic.startsWith('realtime:')) {
      reply('error', { reason: 'unmatched topic' });
      return;
    }
    // Duplicate join: the old channel is closed under its own join_ref first (§2.6).
    this.channels.get(frame.topic)?.close();

    this.pendingJoins += 1;
    let result: JoinResult;
    try {
      result = await joinChannel(this, frame, this.channels.size + this.pendingJoins - 1);
    } finally {
      this.pendingJoins -= 1;
    }
    if (!result.ok) {
      const { reason, closeSocket } = result;
      // CHANNEL_ERROR_BACKOFF_MS: Realtime delays every join error (§2.3).
      const delay = this.tenant.config.realtime.joinErrorDelayMs;
      if (delay > 0) await sleep(delay);
      reply('error', { reason });
      if (closeSocket) this.closeSocket(CLOSE_GOING_AWAY, 'too many joins');
      return;
    }
    const channel = result.channel;
    if (!this.open) {
      channel.stop();
      return;
    }
    this.channels.set(frame.topic, channel);
    if (!this.counted) {
      this.counted = true;
      this.tenant.connections += 1;
    }
    channel.start((response) => reply('ok', response));
  }

  private onClose(): void {
    if (!this.open) return;
    this.open = false;
    this.cancelIdle?.();
    if (this.counted) this.tenant.connections -= 1;
    for (const channel of [...this.channels.values()]) channel.stop();
    this.channels.clear();
  }
}
