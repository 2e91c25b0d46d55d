import { ContractError } from './contract-error.ts';
import type { MessageType } from './message-types.ts';
import { UUID_PATTERN } from './uuid.ts';

/*
 * Channel topics, without the `realtime:` prefix supabase-js adds on the wire. All channels are
 * private: the RLS policies on realtime.messages compare `realtime.topic()` with exactly these
 * strings, so a change here must change the policies too.
 */

export const TOPIC_KINDS = ['org', 'activity', 'territory', 'publisher', 'user'] as const;

export type TopicKind = (typeof TOPIC_KINDS)[number];

export type ParsedTopic =
  | { readonly kind: 'org'; readonly orgId: string }
  | { readonly kind: 'activity'; readonly orgId: string }
  | { readonly kind: 'territory'; readonly orgId: string; readonly territory: string }
  | { readonly kind: 'publisher'; readonly orgId: string; readonly publisherId: string }
  | { readonly kind: 'user'; readonly userId: string };

/** Which message types travel on which kind of topic. */
export const TOPIC_CARRIES: Readonly<Record<TopicKind, readonly MessageType[]>> = {
  org: ['agent_status', 'team_update', 'notification'],
  activity: ['user_snapshot'],
  territory: ['team_update', 'publisher_update'],
  publisher: ['publisher_update'],
  user: ['notification'],
};

export const TERRITORY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const WIRE_PREFIX = 'realtime:';

/** `org:<orgId>`: agent status, org-wide team updates and notifications; presence. */
export function orgTopic(orgId: string): string {
  return `org:${checkUuid('orgId', orgId)}`;
}

/** `org:<orgId>:activity`: user_snapshot activity broadcast by clients. */
export function activityTopic(orgId: string): string {
  return `${orgTopic(orgId)}:activity`;
}

/** `org:<orgId>:territory:<territory>`: territory-scoped team and publisher updates. */
export function territoryTopic(orgId: string, territory: string): string {
  if (!TERRITORY_PATTERN.test(territory)) {
    throw invalidTopic('territory', `expected ${String(TERRITORY_PATTERN)}, received ${JSON.stringify(territory)}`);
  }
  return `${orgTopic(orgId)}:territory:${territory}`;
}

/** `org:<orgId>:publisher:<publisherId>`: publisher updates, viewers' presence, live drafts. */
export function publisherTopic(orgId: string, publisherId: string): string {
  return `${orgTopic(orgId)}:publisher:${checkUuid('publisherId', publisherId)}`;
}

/** `user:<userId>`: personal notifications and @mentions. */
export function userTopic(userId: string): string {
  return `user:${checkUuid('userId', userId)}`;
}

/**
 * Parses a topic, with or without the `realtime:` prefix; `null` when it is not one of ours.
 * @example parseTopic('realtime:user:a0000000-0000-4000-8000-000000000001') // { kind: 'user', userId: '…' }
 */
export function parseTopic(topic: string): ParsedTopic | null {
  const bare = topic.startsWith(WIRE_PREFIX) ? topic.slice(WIRE_PREFIX.length) : topic;
  const [scope, id, kind, arg, ...rest] = bare.split(':');
  if (id === undefined || !UUID_PATTERN.test(id) || rest.length > 0) return null;
  if (scope === 'user') return kind === undefined ? { kind: 'user', userId: id } : null;
  if (scope !== 'org') return null;
  if (kind === undefined) return { kind: 'org', orgId: id };
  if (kind === 'activity') return arg === undefined ? { kind: 'activity', orgId: id } : null;
  if (arg === undefined) return null;
  if (kind === 'territory') return TERRITORY_PATTERN.test(arg) ? { kind: 'territory', orgId: id, territory: arg } : null;
  if (kind === 'publisher') return UUID_PATTERN.test(arg) ? { kind: 'publisher', orgId: id, publisherId: arg } : null;
  return null;
}

function checkUuid(name: string, value: string): string {
  if (!UUID_PATTERN.test(value)) {
    throw invalidTopic(name, `expected a lowercase UUID, received ${JSON.stringify(value)}`);
  }
  return value;
}

function invalidTopic(path: string, message: string): ContractError {
  return new ContractError('invalid_topic', [{ path, message }]);
}
