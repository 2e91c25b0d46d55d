import { errorMessage } from '../errors.ts';
import { checkRealtimeRead, checkRealtimeWrite, type JwtClaims, type ReadPolicies, type RealtimeExtension } from '../db/index.ts';
import { namespaceKey, type BrokerSubscriber, type Delivery, type PresenceDiff } from './broker.ts';
import { checkChannelToken } from './channel-token.ts';
import type { ConnectGrant } from './connect-auth.ts';
import type { PostgresChangesReady, PostgresChangesRegistration } from './postgres-changes/index.ts';
import { accessTokenPushSchema, jsonBroadcastPushSchema, presencePushSchema } from './frames.ts';
import { WindowLimit } from './rate-counter.ts';
import type { ReplayMessage } from './replay.ts';
import type { InboundMessage, InboundUserBroadcast, Outbound } from './serializer.ts';
import { jsonBytes } from './serializer.ts';
import { admitBroadcast, payloadTooLarge, publishBroadcast, takePresenceEvent, type Tenant } from './tenant.ts';

/** What a channel needs from the socket it lives on. */
export interface ChannelHost {
  readonly tenant: Tenant;
  readonly grant: ConnectGrant;
  send(message: Outbound): void;
  /** The channel ended (leave, shutdown, duplicate join); the socket forgets it. */
  released(channel: Channel): void;
  /** Closes the whole socket, e.g. 1001 after a joins/s refusal (§2.4). */
  closeSocket(code: number, reason: string): void;
}

/**
 * Realtime re-validates a channel's token every `min(5 min, exp − now)` (§6.4); the 5 minutes
 * bound how long a token that turned invalid some other way keeps a channel open.
 */
const TOKEN_RECHECK_MS = 5 * 60_000;

/** What the join pipeline established for a new channel (see join-channel.ts). */
export interface ChannelInit {
  /** The wire topic, `realtime:<name>`. */
  topic: string;
  /** `<name>`, what RLS policies see as `realtime.topic()`. */
  subTopic: string;
  joinRef: string | null;
  isPrivate: boolean;
  ack: boolean;
  self: boolean;
  presenceKey: string;
  presenceEnabled: boolean;
  token: string;
  claims: JwtClaims & { exp: number };
  /** Set for private channels (§6.2). */
  readPolicies: ReadPolicies | undefined;
  replay: ReplayMessage[];
}

/**
 * One joined channel on one socket: Realtime's `RealtimeChannel` process (§2–§4, §6).
 * Created by `joinChannel` (join-channel.ts) once the join pipeline (§2.3) has passed.
 */
export class Channel implements BrokerSubscriber {
  readonly namespace: string;
  private closed = false;
  private token: string;
  private claims: JwtClaims & { exp: number };
  private readPolicies: ReadPolicies | undefined;
  /**
   * Presence read: always true on public channels; on private ones evaluated at join only when
   * presence was enabled then, else `undefined` until a track evaluates it (§4.2).
   */
  private presenceRead: boolean | undefined;
  /**
   * The presence read the fan-out was set up with (Realtime's fastlane metadata): fixed at join and
   * on `access_token`, not by a track — which decides how diffs reach this channel (see deliver).
   */
  private fanoutPresenceRead: boolean | undefined;
  /** Ids of the broadcasts replayed at join; live copies of them are dropped (§3.4). */
  private readonly replayedIds: ReadonlySet<string>;
  private writeCache: Partial<Record<RealtimeExtension, boolean>> = {};
  private presenceEnabled: boolean;
  private readonly presenceLimit: WindowLimit;
  private expiryTimer: NodeJS.Timeout | undefined;
  private pg: PostgresChangesRegistration | undefined;
  /** Stored broadcasts to replay right after the join reply (§2.5 step 1). */
  private readonly replay: ReplayMessage[];

  readonly topic: string;
  readonly subTopic: string;
  readonly joinRef: string | null;
  readonly isPrivate: boolean;
  private readonly ack: boolean;
  private readonly self: boolean;
  private readonly presenceKey: string;

  constructor(
    private readonly host: ChannelHost,
    init: ChannelInit,
  ) {
    this.topic = init.topic;
    this.subTopic = init.subTopic;
    this.joinRef = init.joinRef;
    this.isPrivate = init.isPrivate;
    this.ack = init.ack;
    this.self = init.self;
    this.presenceKey = init.presenceKey;
    this.namespace = namespaceKey(init.isPrivate, init.subTopic);
    this.presenceEnabled = init.presenceEnabled;
    this.token = init.token;
    this.claims = init.claims;
    this.readPolicies = init.readPolicies;
    this.presenceRead = init.isPrivate ? (init.presenceEnabled ? (init.readPolicies?.presence ?? false) : undefined) : true;
    this.fanoutPresenceRead = this.presenceRead;
    this.replay = init.replay;
    this.replayedIds = new Set(init.replay.map((m) => m.metadata?.id).filter((id): id is string => typeof id === 'string'));
    const limits = host.tenant.config.realtime;
    this.presenceLimit = new WindowLimit(limits.clientPresenceMaxCalls, limits.clientPresenceWindowMs);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ── outbound ──

  private push(event: string, payload: unknown): void {
    this.host.send({ kind: 'message', joinRef: this.joinRef, ref: null, topic: this.topic, event, payload });
  }

  private reply(ref: string | null, status: 'ok' | 'error', response: unknown): void {
    this.host.send({ kind: 'message', joinRef: this.joinRef, ref, topic: this.topic, event: 'phx_reply', payload: { status, response } });
  }

  private system(extension: 'system' | 'postgres_changes', status: 'ok' | 'error', message: string): void {
    this.push('system', { extension, status, message, channel: this.subTopic });
  }

  deliver(delivery: Delivery): void {
    if (this.closed) return;
    if (delivery.kind === 'presence_diff') {
      this.deliverPresenceDiff(delivery.diff);
      return;
    }
    // A live copy of a message this subscriber already got by replay is dropped, uncounted (§3.4).
    const id = messageId(delivery);
    if (id !== undefined && this.replayedIds.has(id)) return;
    // Admitted by presence read only → no broadcasts (§3.3 receive side).
    if (this.isPrivate && !this.readPolicies?.broadcast) return;
    const { events } = this.host.tenant;
    events.add();
    if (events.triggered()) {
      // Every receiving channel re-checks the tenant counter and shuts down over it (§8.3).
      this.shutdown('Too many messages per second');
      return;
    }
    if (delivery.kind === 'json_broadcast') {
      this.host.send({ kind: 'message', joinRef: null, ref: null, topic: this.topic, event: 'broadcast', payload: delivery.payload });
    } else {
      this.host.send({
        kind: 'user_broadcast',
        topic: this.topic,
        event: delivery.event,
        metadata: delivery.metadata,
        encoding: delivery.encoding,
        payload: delivery.payload,
      });
    }
  }

  /** [RT] message_dispatcher.ex, presence branch (§4.2, §4.4). */
  private deliverPresenceDiff(diff: PresenceDiff): void {
    const push = () => this.host.send({ kind: 'message', joinRef: null, ref: null, topic: this.topic, event: 'presence_diff', payload: diff });
    switch (this.fanoutPresenceRead) {
      case false:
        return;
      case true:
        // Fan-out deliveries count on the tenant's presence counter; receivers don't check it.
        this.host.tenant.presenceEvents.add();
        push();
        return;
      case undefined:
        // Read was never evaluated at join: Realtime routes the diff through the channel process
        // (`authorize_presence_diff`), which delivers it only if a track has since authorised
        // presence read — and doesn't count it.
        if (this.presenceRead === true) push();
        return;
    }
  }

  /** Pushed right after the join reply (§2.5). */
  afterJoin(): void {
    for (const message of this.replay.splice(0)) {
      // JSON rows come as a channel push with the join_ref, binary rows as kind 4 (§3.4).
      if (message.encoding === 'json') {
        const payload = JSON.parse(Buffer.from(message.payload).toString('utf8')) as unknown;
        this.push('broadcast', { type: 'broadcast', event: message.event, payload, meta: message.metadata });
      } else {
        this.host.send({ ...message, kind: 'user_broadcast', topic: this.topic });
      }
    }
    if (this.presenceEnabled && this.presenceRead === true) {
      // `sync_presence`: over the tenant's presence rate the new channel is shut down instead (§4.4).
      if (!takePresenceEvent(this.host.tenant)) {
        this.shutdown('Too many presence messages per second');
        return;
      }
      this.push('presence_state', this.host.tenant.presence.state(this.namespace));
    }
    this.scheduleTokenCheck();
  }

  claimsForPostgres(): JwtClaims {
    return this.claims;
  }

  postgresUnavailable(): void {
    if (this.closed) return;
    this.system('postgres_changes', 'error', 'Postgres changes are not available on this server');
  }

  attachPostgresChanges(registration: PostgresChangesRegistration): void {
    // afterJoin may already have shut the channel down (presence rate, §4.4).
    if (this.closed) {
      registration.unregister();
      return;
    }
    this.pg = registration;
    this.announce(registration);
  }

  private announce(registration: PostgresChangesRegistration): void {
    registration.ready.then(
      (status: PostgresChangesReady) => {
        if (this.closed || this.pg !== registration) return;
        if (status.status === 'ok') this.system('postgres_changes', 'ok', 'Subscribed to PostgreSQL');
        else this.system('postgres_changes', 'error', status.message);
      },
      (error: unknown) => {
        if (this.closed || this.pg !== registration) return;
        this.system('postgres_changes', 'error', errorMessage(error));
      },
    );
  }

  deliverPostgresChange(payload: { ids: number[]; data: Record<string, unknown> }): void {
    if (this.closed) return;
    this.host.send({ kind: 'message', joinRef: null, ref: null, topic: this.topic, event: 'postgres_changes', payload });
  }

  // ── inbound ──

  async handle(frame: InboundMessage | InboundUserBroadcast): Promise<void> {
    if (this.closed) return;
    if (frame.kind === 'user_broadcast') {
      await this.broadcast(frame.ref, {
        kind: 'user_broadcast',
        event: frame.event,
        // Realtime ignores client metadata such as `persist` on fan-out (§3.5).
        metadata: null,
        encoding: frame.encoding,
        payload: frame.payload,
      });
      return;
    }
    switch (frame.event) {
      case 'broadcast': {
        const parsed = jsonBroadcastPushSchema.safeParse(frame.payload);
        if (!parsed.success) return;
        await this.broadcast(frame.ref, { kind: 'json_broadcast', payload: parsed.data });
        return;
      }
      case 'presence':
        await this.presence(frame.ref, frame.payload);
        return;
      case 'access_token':
        await this.accessToken(frame.payload);
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

  private async broadcast(ref: string | null, delivery: Extract<Delivery, { kind: 'json_broadcast' | 'user_broadcast' }>): Promise<void> {
    const size = delivery.kind === 'user_broadcast' ? delivery.payload.byteLength : jsonBytes(delivery.payload).byteLength;
    if (admitBroadcast(this.host.tenant, size, { checkRate: false })) {
      // The server's response is the bare atom, JSON-encoded (§3.3; inferred from the code, §11).
      if (this.ack) this.reply(ref, 'error', 'payload_size_exceeded');
      return;
    }
    // Denied private writes are dropped with no reply even with ack: the client sees "timed out" (§3.3).
    if (this.isPrivate && !(await this.canWrite('broadcast'))) return;
    if (this.closed) return;
    if (this.ack) this.reply(ref, 'ok', {});
    publishBroadcast(this.host.tenant, { isPrivate: this.isPrivate, topic: this.subTopic }, delivery, this.self ? undefined : this);
  }

  private async presence(ref: string | null, raw: unknown): Promise<void> {
    // Every presence message counts, even a no-op re-track (§4.4).
    if (!this.presenceLimit.take()) {
      this.shutdown('Client presence rate limit exceeded');
      return;
    }
    const parsed = presencePushSchema.safeParse(raw);
    if (!parsed.success || parsed.data.event === undefined) {
      this.reply(ref, 'ok', {});
      return;
    }
    const { tenant } = this.host;
    switch (parsed.data.event.toLowerCase()) {
      case 'track': {
        const meta = parsed.data.payload;
        if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
          this.reply(ref, 'error', { reason: 'Presence track payload must be a map' });
          return;
        }
        if (payloadTooLarge(tenant, jsonBytes(meta).byteLength)) {
          this.shutdown('Track message size exceeded');
          return;
        }
        if (this.isPrivate && !(await this.canTrack())) {
          this.reply(ref, 'error', { reason: `Unauthorized: You do not have permissions to track presence on this Channel topic: ${this.subTopic}` });
          return;
        }
        if (this.closed) return;
        const payload = meta as Record<string, unknown>;
        // An identical re-track is a no-op and, being no presence event, isn't counted (§4.2).
        if (tenant.presence.isUnchanged(this.namespace, this, this.presenceKey, payload)) {
          this.reply(ref, 'ok', {});
          return;
        }
        if (!takePresenceEvent(tenant)) {
          this.shutdown('Too many presence messages per second');
          return;
        }
        // A track auto-enables presence, without a presence_state (§4.2).
        this.presenceEnabled = true;
        const diff = tenant.presence.track(this.namespace, this, this.presenceKey, payload);
        this.reply(ref, 'ok', {});
        if (diff) this.publishDiff(diff);
        return;
      }
      case 'untrack': {
        const diff = tenant.presence.untrack(this.namespace, this);
        this.reply(ref, 'ok', {});
        if (diff) this.publishDiff(diff);
        return;
      }
      default:
        this.reply(ref, 'error', {});
    }
  }

  private publishDiff(diff: PresenceDiff): void {
    // Diffs go to every subscriber, the tracker included (§4.2).
    this.host.tenant.broker.publish(this.namespace, { kind: 'presence_diff', diff });
  }

  private async accessToken(raw: unknown): Promise<void> {
    const parsed = accessTokenPushSchema.safeParse(raw);
    if (!parsed.success) return;
    const token = parsed.data.access_token;
    // Ignored when unchanged, null, or an opaque `sb_` key (§6.5).
    if (token === null || token === undefined || token === this.token || token.startsWith('sb_')) return;
    const check = await checkChannelToken(token, this.host.tenant.config.jwtSecret);
    if (this.closed) return;
    if (!check.ok) {
      this.shutdown(check.message);
      return;
    }
    this.token = token;
    this.claims = check.claims;
    this.scheduleTokenCheck();
    if (this.isPrivate) {
      const policies = await this.readPoliciesFor(this.claims, this.presenceEnabled);
      if (this.closed) return;
      if (!policies.broadcast && !policies.presence) {
        this.shutdown(`You do not have permissions to read from this Channel topic: ${this.subTopic}`);
        return;
      }
      if ((this.readPolicies?.broadcast && !policies.broadcast) || (this.presenceRead === true && !policies.presence)) {
        this.shutdown(`You no longer have permission to read from this Channel topic: ${this.subTopic}`);
        return;
      }
      this.readPolicies = policies;
      this.presenceRead = this.presenceEnabled ? policies.presence : undefined;
      // Realtime re-subscribes the fan-out with the new policies (`maybe_resubscribe_fastlane`).
      this.fanoutPresenceRead = this.presenceRead;
    }
    this.writeCache = {};
    if (this.pg) {
      const next = this.pg.setClaims(this.claims);
      this.pg = next;
      this.announce(next);
    }
  }

  // ── authorization ──

  private async readPoliciesFor(claims: JwtClaims, presence: boolean): Promise<ReadPolicies> {
    try {
      return await checkRealtimeRead(
        this.host.tenant.db,
        { claims, topic: this.subTopic, headers: this.host.grant.xHeaders },
        { presence },
      );
    } catch (error) {
      this.host.tenant.log(`realtime: read check failed on ${this.subTopic}: ${errorMessage(error)}`);
      return { broadcast: false, presence: false, policyError: errorMessage(error) };
    }
  }

  /**
   * The first track on a private channel: presence read is evaluated now if the join skipped it
   * (presence not enabled then), then presence write (§4.2; [RT] presence_handler.ex
   * `maybe_authorize_presence_read`). Realtime keeps the new read only when the track goes ahead.
   */
  private async canTrack(): Promise<boolean> {
    if (this.presenceRead !== undefined) return this.canWrite('presence');
    const claims = this.claims;
    const read = await this.readPoliciesFor(claims, true);
    const write = await this.canWrite('presence');
    if (write && this.claims === claims && !this.closed) this.presenceRead = read.presence;
    return write;
  }

  /** Write policy, checked lazily and cached until the token changes (§6.3). */
  private async canWrite(extension: RealtimeExtension): Promise<boolean> {
    const cached = this.writeCache[extension];
    if (cached !== undefined) return cached;
    const claims = this.claims;
    let allowed = false;
    try {
      const result = await checkRealtimeWrite(this.host.tenant.db, { claims, topic: this.subTopic, headers: this.host.grant.xHeaders }, [
        extension,
      ]);
      allowed = result[extension];
      if (result.policyError) this.host.tenant.log(`realtime: RlsPolicyError on ${this.subTopic}: ${result.policyError}`);
    } catch (error) {
      this.host.tenant.log(`realtime: write check failed on ${this.subTopic}: ${errorMessage(error)}`);
    }
    if (this.claims === claims) this.writeCache[extension] = allowed;
    return allowed;
  }

  // ── lifetime ──

  private scheduleTokenCheck(): void {
    clearTimeout(this.expiryTimer);
    const untilExpiry = this.claims.exp * 1000 - Date.now();
    // +1 ms so the check runs in the second after `exp`, when the token counts as expired.
    const delay = Math.max(0, Math.min(TOKEN_RECHECK_MS, untilExpiry + 1));
    this.expiryTimer = setTimeout(() => void this.recheckToken(), delay);
    this.expiryTimer.unref();
  }

  private async recheckToken(): Promise<void> {
    if (this.closed) return;
    const check = await checkChannelToken(this.token, this.host.tenant.config.jwtSecret);
    if (this.closed) return;
    if (check.ok) this.scheduleTokenCheck();
    else this.shutdown(check.message);
  }

  /** Server-side end of a channel: `system` error, then `phx_close` (§2.6 `shutdown_response`). */
  shutdown(message: string): void {
    if (this.closed) return;
    this.system('system', 'error', message);
    this.close();
  }

  /** `phx_close` with `ref = join_ref` (§1.7, §2.6), then cleanup. */
  close(): void {
    if (this.closed) return;
    this.host.send({ kind: 'message', joinRef: this.joinRef, ref: this.joinRef, topic: this.topic, event: 'phx_close', payload: {} });
    this.release();
  }

  /** Cleanup without telling the client (socket gone). */
  release(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.expiryTimer);
    const { broker, presence } = this.host.tenant;
    broker.unsubscribe(this.namespace, this);
    const diff = presence.untrack(this.namespace, this);
    if (diff) broker.publish(this.namespace, { kind: 'presence_diff', diff });
    this.pg?.unregister();
    this.pg = undefined;
    this.host.released(this);
  }
}

/** The id Realtime de-duplicates replays by: a UserBroadcast's `metadata.id`, a JSON broadcast's `meta.id` (§3.4). */
function messageId(delivery: Extract<Delivery, { kind: 'json_broadcast' | 'user_broadcast' }>): string | undefined {
  const meta = delivery.kind === 'user_broadcast' ? delivery.metadata : delivery.payload.meta;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const id = (meta as Record<string, unknown>).id;
  return typeof id === 'string' ? id : undefined;
}
