import { checkRealtimeRead, UnsupportedRoleError, type ReadPolicies } from '../db/index.ts';
import { errorMessage } from '../errors.ts';
import type { ChannelHost } from './channel-host.ts';
import { Channel } from './channel.ts';
import { checkChannelToken } from './channel-token.ts';
import { joinPayloadSchema, replaySchema } from './frames.ts';
import { generatedPresenceKey } from './presence.ts';
import { loadReplay, type ReplayMessage } from './replay.ts';
import type { InboundMessage } from './serializer.ts';

const TOPIC_PREFIX = 'realtime:';

/** Realtime's DB-error join reason carries no `Code:` prefix (§2.4). */
const DB_UNAVAILABLE = 'Realtime was unable to connect to the project database';

export type JoinResult = { ok: true; channel: Channel } | { ok: false; reason: string; closeSocket?: boolean };

/**
 * Realtime's join pipeline (§2.3) up to the subscription, which `Channel.start` makes; the caller
 * sends error replies so that replies and error delays stay in one place.
 */
export async function joinChannel(host: ChannelHost, frame: InboundMessage, openChannels: number): Promise<JoinResult> {
  const { tenant, grant } = host;
  const subTopic = frame.topic.slice(TOPIC_PREFIX.length);
  const payload = joinPayloadSchema.parse(frame.payload);
  const { config } = payload;
  if (subTopic === '') return { ok: false, reason: 'TopicNameRequired: You must provide a topic name' };
  if (tenant.config.realtime.privateOnly && !config.private)
    return { ok: false, reason: 'PrivateOnly: This project only allows private channels' };
  if (tenant.connections > tenant.config.realtime.maxConcurrentUsers) {
    return { ok: false, reason: 'ConnectionRateLimitReached: Too many connected users' };
  }
  tenant.joins.add();
  if (tenant.joins.triggered())
    return { ok: false, reason: 'ClientJoinRateLimitReached: Too many joins per second', closeSocket: true };
  if (openChannels >= tenant.config.realtime.maxChannelsPerClient)
    return { ok: false, reason: 'ChannelRateLimitReached: Too many channels' };

  // A missing or opaque `sb_` token falls back to the connect key (§2.2).
  const raw = payload.access_token ?? payload.user_token ?? undefined;
  const token = raw === undefined || raw === null || raw.startsWith('sb_') ? grant.token : raw;
  const check = await checkChannelToken(token, tenant.config.jwtSecret, new Date(tenant.clock.now()));
  if (!check.ok) return { ok: false, reason: check.joinReason };

  const presenceEnabled = config.presence.enabled;
  let readPolicies: ReadPolicies | undefined;
  if (config.private) {
    try {
      readPolicies = await checkRealtimeRead(
        tenant.db,
        { claims: check.claims, topic: subTopic, headers: grant.xHeaders },
        { presence: presenceEnabled },
      );
    } catch (error) {
      // A role Postgres doesn't know, or the database itself failing.
      tenant.log(`realtime: read check failed on ${subTopic}: ${errorMessage(error)}`);
      if (error instanceof UnsupportedRoleError) readPolicies = { broadcast: false, presence: false };
      else return { ok: false, reason: DB_UNAVAILABLE };
    }
    if (readPolicies.policyError) tenant.log(`realtime: RlsPolicyError on ${subTopic}: ${readPolicies.policyError}`);
    if (!readPolicies.broadcast && !readPolicies.presence) {
      return {
        ok: false,
        reason: `Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`,
      };
    }
  }

  let replay: ReplayMessage[] = [];
  if (config.broadcast.replay !== undefined) {
    const params = replaySchema.safeParse(config.broadcast.replay);
    if (!config.private)
      return { ok: false, reason: 'UnableToReplayMessages: Replay is not allowed for public channels' };
    if (!params.success) return { ok: false, reason: 'UnableToReplayMessages: Replay params are not valid' };
    if (!readPolicies?.broadcast) {
      return {
        ok: false,
        reason: `Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`,
      };
    }
    try {
      replay = await loadReplay(tenant.db, subTopic, params.data.since, params.data.limit);
    } catch (error) {
      tenant.log(`realtime: replay failed on ${subTopic}: ${errorMessage(error)}`);
      return { ok: false, reason: 'UnableToReplayMessages: Realtime was unable to replay messages' };
    }
  }

  const channel = new Channel(host, {
    topic: frame.topic,
    subTopic,
    joinRef: frame.joinRef ?? frame.ref,
    isPrivate: config.private,
    ack: config.broadcast.ack,
    self: config.broadcast.self,
    // An empty key gets a server-generated one, per join (§2.2).
    presenceKey: config.presence.key === '' ? generatedPresenceKey() : config.presence.key,
    presenceEnabled,
    token,
    claims: check.claims,
    readPolicies,
    replay,
    // The raw bindings, nil entries removed (§2.2).
    postgresChanges: config.postgres_changes,
  });
  return { ok: true, channel };
}
