import { errorMessage } from '../errors.ts';
import type { BrokerSubscriber, Delivery } from './broker.ts';
import type { SharedFrames } from './shared-frames.ts';
import { namespaceKey } from './broker.ts';
import { ChannelAuth } from './channel-auth.ts';
import { ChannelPresence } from './channel-presence.ts';
import type { ChannelHost, ChannelInit } from './channel-host.ts';
import { jsonBroadcastPushSchema } from './frames.ts';
import { registerPostgresChanges } from './postgres-changes-binding.ts';
import type { PostgresChangesRegistration } from './postgres-changes/index.ts';
import { messageId, replayFrames } from './replay.ts';
import type { InboundMessage, InboundUserBroadcast } from './serializer.ts';
import { admitBroadcast, broadcastSize, publishBroadcast } from './tenant.ts';

/**
 * One joined channel on one socket: Realtime's `RealtimeChannel` process (§2–§4, §6). Its whole
 * life is here: {@link start} subscribes it (broadcasts, Postgres changes) and answers the join;
 * {@link stop} undoes every part of that. Token and policies live in {@link ChannelAuth},
 * presence in {@link ChannelPresence}.
 */
export class Channel implements BrokerSubscriber {
  readonly namespace: string;
  readonly topic: string;
  readonly subTopic: string;
  readonly joinRef: string | null;
  readonly isPrivate: boolean;
  private readonly auth: ChannelAuth;
  private readonly presence: ChannelPresence;
  private closed = false;
  private pg: PostgresChangesRegistration | undefined;
  /** Ids of the broadcasts replayed at join; live copies of them are dropped (§3.4). */
  private readonly replayedIds: ReadonlySet<string>;

  constructor(
    private readonly host: ChannelHost,
    private readonly init: ChannelInit,
  ) {
    this.topic = init.topic;
    this.subTopic = init.subTopic;
    this.joinRef = init.joinRef;
    this.isPrivate = init.isPrivate;
    this.namespace = namespaceKey(init.isPrivate, init.subTopic);
    this.replayedIds = new Set(
      init.replay.map((m) => m.metadata?.id).filter((id): id is string => typeof id === 'string'),
    );
    const closed = (): boolean => this.closed;
    const subject = {
      tenant: host.tenant,
      subTopic: init.subTopic,
      isPrivate: init.isPrivate,
      xHeaders: host.grant.xHeaders,
      get isClosed() {
        return closed();
      },
      shutdown: (message: string) => this.shutdown(message),
    };
    this.auth = new ChannelAuth(subject, init.token, init.claims, init.readPolicies);
    this.presence = new ChannelPresence(
      {
        ...subject,
        namespace: this.namespace,
        push: (event, payload) => this.push(event, payload),
        pushShared: (frames) => this.host.sendShared(frames, this.topic),
        reply: (ref, status, response) => this.reply(ref, status, response),
        authorizeTrack: (readUnknown) => this.authorizeTrack(readUnknown),
      },
      { enabled: init.presenceEnabled, key: init.presenceKey, policies: init.readPolicies },
    );
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Subscribes the channel and answers the join with `ok` (`reply`), then pushes what follows a
   * join (§2.5): replayed broadcasts, `presence_state`, the Postgres-changes status.
   */
  start(reply: (response: { postgres_changes: Array<Record<string, unknown>> }) => void): void {
    const { tenant } = this.host;
    tenant.broker.subscribe(this.namespace, this);
    const bindings = this.init.postgresChanges;
    const postgres = registerPostgresChanges(tenant, bindings, this.auth.claims, (payload) => {
      if (!this.closed)
        this.host.send({
          kind: 'message',
          joinRef: null,
          ref: null,
          topic: this.topic,
          event: 'postgres_changes',
          payload,
        });
    });
    this.pg = postgres.registration;
    reply({ postgres_changes: postgres.entries });
    for (const frame of replayFrames(this.topic, this.joinRef, this.init.replay.splice(0))) this.host.send(frame);
    this.presence.syncAfterJoin();
    if (this.closed) return;
    this.auth.scheduleRecheck();
    if (this.pg) this.announce(this.pg);
    else if (bindings.length > 0)
      this.system('postgres_changes', 'error', 'Postgres changes are not available on this server');
  }

  /** Undoes {@link start}, without telling the client (socket gone, or after `phx_close`). */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    this.auth.stop();
    this.host.tenant.broker.unsubscribe(this.namespace, this);
    this.presence.leave();
    this.pg?.unregister();
    this.pg = undefined;
    this.host.released(this);
  }

  /** Server-side end of a channel: `system` error, then `phx_close` (§2.6 `shutdown_response`). */
  shutdown(message: string): void {
    if (this.closed) return;
    this.system('system', 'error', message);
    this.close();
  }

  /** `phx_close` with `ref = join_ref` (§1.7, §2.6), then {@link stop}. */
  close(): void {
    if (this.closed) return;
    this.host.send({
      kind: 'message',
      joinRef: this.joinRef,
      ref: this.joinRef,
      topic: this.topic,
      event: 'phx_close',
      payload: {},
    });
    this.stop();
  }

  // ── outbound ──

  private push(event: string, payload: unknown): void {
    this.host.send({ kind: 'message', joinRef: this.joinRef, ref: null, topic: this.topic, event, payload });
  }

  private reply(ref: string | null, status: 'ok' | 'error', response: unknown): void {
    this.host.send({
      kind: 'message',
      joinRef: this.joinRef,
      ref,
      topic: this.topic,
      event: 'phx_reply',
      payload: { status, response },
    });
  }

  private system(extension: 'system' | 'postgres_changes', status: 'ok' | 'error', message: string): void {
    this.push('system', { extension, status, message, channel: this.subTopic });
  }

  deliver(delivery: Delivery, frames: SharedFrames): void {
    if (this.closed) return;
    if (delivery.kind === 'presence_diff') {
      this.presence.deliverDiff(frames);
      return;
    }
    // A live copy of a message this subscriber already got by replay is dropped, uncounted (§3.4).
    if (this.replayedIds.size > 0) {
      const id = messageId(delivery);
      if (id !== undefined && this.replayedIds.has(id)) return;
    }
    // Admitted by presence read only → no broadcasts (§3.3 receive side).
    if (!this.auth.canReadBroadcast) return;
    const { events } = this.host.tenant;
    events.add();
    if (events.triggered()) {
      // Every receiving channel re-checks the tenant counter and shuts down over it (§8.3).
      this.shutdown('Too many messages per second');
      return;
    }
    this.host.sendShared(frames, this.topic);
  }

  private announce(registration: PostgresChangesRegistration): void {
    const current = () => !this.closed && this.pg === registration;
    registration.ready.then(
      (status) => {
        if (!current()) return;
        if (status.status === 'ok') this.system('postgres_changes', 'ok', 'Subscribed to PostgreSQL');
        else this.system('postgres_changes', 'error', status.message);
      },
      (error: unknown) => {
        if (current()) this.system('postgres_changes', 'error', errorMessage(error));
      },
    );
  }

  // ── inbound ──

  async handle(frame: InboundMessage | InboundUserBroadcast): Promise<void> {
    if (this.closed) return;
    if (frame.kind === 'user_broadcast') {
      // Realtime ignores client metadata such as `persist` on fan-out (§3.5).
      const { event, encoding, payload } = frame;
      await this.broadcast(frame.ref, { kind: 'user_broadcast', event, metadata: null, encoding, payload });
      return;
    }
    switch (frame.event) {
      case 'broadcast': {
        const parsed = jsonBroadcastPushSchema.safeParse(frame.payload);
        if (parsed.success)
          await this.broadcast(frame.ref, { kind: 'json_broadcast', payload: parsed.data }, frame.wireBytes);
        return;
      }
      case 'presence':
        await this.presence.handle(frame.ref, frame.payload);
        return;
      case 'access_token':
        await this.refreshToken(frame.payload);
        return;
      case 'phx_leave':
        this.reply(frame.ref, 'ok', {});
        this.close();
        return;
      default:
        // Realtime has no handler for other events; answer so a waiting push doesn't hang.
        if (frame.ref !== null) this.reply(frame.ref, 'error', { reason: `unknown event: ${frame.event}` });
    }
  }

  private async broadcast(
    ref: string | null,
    delivery: Extract<Delivery, { kind: 'json_broadcast' | 'user_broadcast' }>,
    wireBytes?: number,
  ): Promise<void> {
    const size = broadcastSize(this.host.tenant, delivery, wireBytes);
    if (admitBroadcast(this.host.tenant, size, { checkRate: false })) {
      // The server's response is the bare atom, JSON-encoded (§3.3; inferred from the code, §11).
      if (this.init.ack) this.reply(ref, 'error', 'payload_size_exceeded');
      return;
    }
    // Denied private writes are dropped with no reply even with ack: the client sees "timed out" (§3.3).
    if (this.isPrivate && !(await this.auth.canWrite('broadcast'))) return;
    if (this.closed) return;
    if (this.init.ack) this.reply(ref, 'ok', {});
    publishBroadcast(
      this.host.tenant,
      { isPrivate: this.isPrivate, topic: this.subTopic },
      delivery,
      this.init.self ? undefined : this,
    );
  }

  /** An `access_token` push (§6.5): new claims, re-evaluated policies, Postgres changes re-subscribed. */
  private async refreshToken(raw: unknown): Promise<void> {
    const refresh = await this.auth.refresh(raw, this.presence.isEnabled);
    if (this.closed || refresh.kind === 'ignored') return;
    if (refresh.kind === 'refused') return this.shutdown(refresh.message);
    const { policies } = refresh;
    if (policies) {
      if (!policies.broadcast && !policies.presence) {
        return this.shutdown(`You do not have permissions to read from this Channel topic: ${this.subTopic}`);
      }
      if (this.auth.losesBroadcastRead(policies) || this.presence.losesRead(policies)) {
        return this.shutdown(`You no longer have permission to read from this Channel topic: ${this.subTopic}`);
      }
      this.presence.applyPolicies(policies);
    }
    this.auth.accept(refresh);
    if (this.pg) {
      this.pg = this.pg.setClaims(this.auth.claims);
      this.announce(this.pg);
    }
  }

  /**
   * The first track on a private channel: presence read is evaluated now if the join skipped it
   * (presence not enabled then), then presence write (§4.2; [RT] presence_handler.ex
   * `maybe_authorize_presence_read`).
   */
  private async authorizeTrack(readUnknown: boolean): Promise<{ write: boolean; read?: boolean }> {
    if (!readUnknown) return { write: await this.auth.canWrite('presence') };
    const claims = this.auth.claims;
    const read = await this.auth.readPoliciesFor(claims, true);
    const write = await this.auth.canWrite('presence');
    return this.auth.claims === claims ? { write, read: read.presence } : { write };
  }
}
