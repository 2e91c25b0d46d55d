import type { JwtClaims, ReadPolicies } from '../db/index.ts';
import type { Channel } from './channel.ts';
import type { ConnectGrant } from './connect-auth.ts';
import type { ReplayMessage } from './replay.ts';
import type { Outbound } from './serializer.ts';
import type { SharedFrames } from './shared-frames.ts';
import type { Tenant } from './tenant.ts';

/** What a channel needs from the socket it lives on. */
export interface ChannelHost {
  readonly tenant: Tenant;
  readonly grant: ConnectGrant;
  send(message: Outbound): void;
  /** Sends the delivery of `frames` as seen on `topic`, with the encoding other subscribers of the same publish share. */
  sendShared(frames: SharedFrames, topic: string): void;
  /** The channel ended (leave, shutdown, duplicate join); the socket forgets it. */
  released(channel: Channel): void;
  /** Closes the whole socket, e.g. 1001 after a joins/s refusal (§2.4). */
  closeSocket(code: number, reason: string): void;
}

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
  /** The raw `config.postgres_changes` bindings (§2.2). */
  postgresChanges: unknown[];
}
