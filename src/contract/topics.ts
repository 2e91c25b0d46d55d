import { ContractError } from './contract-error.ts';
import { UUID_PATTERN } from './uuid.ts';

/*
 * Channel topics, without the `realtime:` prefix supabase-js adds on the wire. All channels are
 * private: the RLS policies on realtime.messages compare `realtime.topic()` with exactly these
 * strings (private.parse_topic in the migrations), so a change here must change them too.
 *
 * The grammar, one line per kind:
 *   org        org:<org>
 *   activity   org:<org>:activity
 *   territory  org:<org>:territory:<territory>
 *   record     org:<org>:territory:<territory>:publisher:<publisher>
 *              org:<org>:unassigned:publisher:<publisher>           (publisher without territory)
 *   collab     the record topic + `:collab`
 *   user       user:<user>
 *
 * RATIONALE: the territory is part of the publisher topics on purpose. Realtime authorises a
 * channel when it is joined (and on each new access token), not per message, so a record that
 * moves to another territory must move to another topic: the old topic then hears only a
 * minimal "moved" notice, and a join of the new one is decided afresh by RLS.
 */

export const TOPIC_KINDS = ['org', 'activity', 'territory', 'record', 'collab', 'user'] as const;

export type TopicKind = (typeof TOPIC_KINDS)[number];

export type ParsedTopic =
  | { readonly kind: 'org'; readonly orgId: string }
  | { readonly kind: 'activity'; readonly orgId: string }
  | { readonly kind: 'territory'; readonly orgId: string; readonly territory: string }
  | { readonly kind: 'record'; readonly orgId: string; readonly territory: string | null; readonly publisherId: string }
  | { readonly kind: 'collab'; readonly orgId: string; readonly territory: string | null; readonly publisherId: string }
  | { readonly kind: 'user'; readonly userId: string };

export const TERRITORY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const WIRE_PREFIX = 'realtime:';

/** `org:<orgId>`: agent status, org-wide team updates and notifications; presence of who is online. */
export function orgTopic(orgId: string): string {
  return `org:${checkUuid('orgId', orgId)}`;
}

/** `org:<orgId>:activity`: user_snapshot activity broadcast by people (collaborative). */
export function activityTopic(orgId: string): string {
  return `${orgTopic(orgId)}:activity`;
}

/** `org:<orgId>:territory:<territory>`: territory-scoped team and publisher updates. */
export function territoryTopic(orgId: string, territory: string): string {
  return `${orgTopic(orgId)}:territory:${checkTerritory(territory)}`;
}

/**
 * The read-only record topic of one publisher: its `publisher_update`s, written by the database.
 * `territory` is the publisher's current territory (`null` when it has none).
 * @example publisherRecordTopic(org, publisher, 'US_West') // 'org:<org>:territory:US_West:publisher:<publisher>'
 */
export function publisherRecordTopic(orgId: string, publisherId: string, territory: string | null): string {
  const scope = territory === null ? `${orgTopic(orgId)}:unassigned` : territoryTopic(orgId, territory);
  return `${scope}:publisher:${checkUuid('publisherId', publisherId)}`;
}

/** The collaborative topic of one publisher: viewers' and editors' presence, live drafts. */
export function publisherCollabTopic(orgId: string, publisherId: string, territory: string | null): string {
  return `${publisherRecordTopic(orgId, publisherId, territory)}:collab`;
}

/** `user:<userId>`: personal notifications and @mentions. */
export function userTopic(userId: string): string {
  return `user:${checkUuid('userId', userId)}`;
}

const UUID = UUID_PATTERN.source.slice(1, -1);
const TERRITORY = TERRITORY_PATTERN.source.slice(1, -1);
const TOPIC_GRAMMAR: readonly (readonly [RegExp, (m: RegExpExecArray) => ParsedTopic])[] = [
  [new RegExp(`^user:(${UUID})$`), (m) => ({ kind: 'user', userId: m[1]! })],
  [new RegExp(`^org:(${UUID})$`), (m) => ({ kind: 'org', orgId: m[1]! })],
  [new RegExp(`^org:(${UUID}):activity$`), (m) => ({ kind: 'activity', orgId: m[1]! })],
  [
    new RegExp(`^org:(${UUID}):territory:(${TERRITORY})$`),
    (m) => ({ kind: 'territory', orgId: m[1]!, territory: m[2]! }),
  ],
  [
    new RegExp(`^org:(${UUID}):(?:territory:(${TERRITORY})|unassigned):publisher:(${UUID})(:collab)?$`),
    (m) => ({ kind: m[4] ? 'collab' : 'record', orgId: m[1]!, territory: m[2] ?? null, publisherId: m[3]! }),
  ],
];

/**
 * Parses a topic, with or without the `realtime:` prefix; `null` when it is not one of ours.
 * @example parseTopic('realtime:user:a0000000-0000-4000-8000-000000000001') // { kind: 'user', userId: '…' }
 */
export function parseTopic(topic: string): ParsedTopic | null {
  const bare = topic.startsWith(WIRE_PREFIX) ? topic.slice(WIRE_PREFIX.length) : topic;
  for (const [pattern, build] of TOPIC_GRAMMAR) {
    const match = pattern.exec(bare);
    if (match) return build(match);
  }
  return null;
}

function checkTerritory(territory: string): string {
  if (!TERRITORY_PATTERN.test(territory)) {
    throw invalidTopic('territory', `expected ${String(TERRITORY_PATTERN)}, received ${JSON.stringify(territory)}`);
  }
  return territory;
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
