import type { MessageType } from './message-types.ts';
import type { TopicKind } from './topics.ts';

/*
 * What each kind of topic is for, and who may do what on it. This table is the source of truth:
 * the realtime.messages policies (private.can_read_topic / can_write_topic) implement it, the
 * policy-matrix tests are generated from it, and the client accepts a message type only from
 * the topics that carry it.
 *
 * RATIONALE: every topic is either server-authoritative or collaborative, never both. Realtime's
 * write check sees the topic and the extension (broadcast or presence), never the event name, so
 * a topic that accepts client broadcasts cannot tell a forged `publisher_update` from the
 * database's. Server-authoritative topics therefore accept no client broadcast at all (presence
 * is a different extension and cannot carry a message type), and collaborative topics carry
 * only client-originated, ephemeral types.
 */

export type TopicAuthority = 'server' | 'collaborative';

/**
 * Who may join (read) a topic:
 * - `members`: every member of the organisation, agent accounts included;
 * - `territory`: members allowed the topic's territory (owners/admins and unrestricted members: all);
 * - `publisher`: members who may read the publisher now, and only on its current territory's topic;
 * - `self`: only the user the topic is named after.
 */
export type TopicReaders = 'members' | 'territory' | 'publisher' | 'self';

/**
 * Who may write one extension of a topic:
 * - `none`: nobody (the database writes through realtime.send, which needs no client policy);
 * - `readers`: everyone who may read the topic;
 * - `people`: readers whose role is owner, admin or member (not agent accounts).
 */
export type TopicWriters = 'none' | 'readers' | 'people';

export interface TopicPolicy {
  readonly authority: TopicAuthority;
  /** The contract message types (broadcast events) this topic carries. */
  readonly carries: readonly MessageType[];
  /** Ephemeral collaboration events (not contract messages) this topic carries. */
  readonly collabEvents: readonly CollabEvent[];
  readonly readers: TopicReaders;
  readonly presence: TopicWriters;
  readonly broadcast: TopicWriters;
}

/** Message types that clients send themselves; the only ones a collaborative topic may carry. */
export const CLIENT_ORIGINATED_TYPES = ['user_snapshot'] as const satisfies readonly MessageType[];

/** Broadcast events of collaborative topics that are not contract messages (see collab-events.ts). */
export const COLLAB_EVENTS = ['draft'] as const;
export type CollabEvent = (typeof COLLAB_EVENTS)[number];

export const TOPIC_POLICIES: Readonly<Record<TopicKind, TopicPolicy>> = {
  org: {
    authority: 'server',
    carries: ['agent_status', 'team_update', 'notification'],
    collabEvents: [],
    readers: 'members',
    presence: 'readers',
    broadcast: 'none',
  },
  activity: {
    authority: 'collaborative',
    carries: ['user_snapshot'],
    collabEvents: [],
    readers: 'members',
    presence: 'none',
    broadcast: 'people',
  },
  territory: {
    authority: 'server',
    carries: ['team_update', 'publisher_update', 'campaign_metric'],
    collabEvents: [],
    readers: 'territory',
    presence: 'none',
    broadcast: 'none',
  },
  record: {
    authority: 'server',
    // team_update and campaign_metric only for a publisher without a territory, whose items have
    // no territory topic (and must not go to the org topic, which restricted members read).
    carries: ['publisher_update', 'team_update', 'campaign_metric'],
    collabEvents: [],
    readers: 'publisher',
    presence: 'none',
    broadcast: 'none',
  },
  collab: {
    authority: 'collaborative',
    carries: [],
    collabEvents: ['draft'],
    readers: 'publisher',
    presence: 'people',
    broadcast: 'people',
  },
  user: {
    authority: 'server',
    carries: ['notification'],
    collabEvents: [],
    readers: 'self',
    presence: 'none',
    broadcast: 'none',
  },
};

/** Which message types travel on which kind of topic (derived from TOPIC_POLICIES). */
export const TOPIC_CARRIES: Readonly<Record<TopicKind, readonly MessageType[]>> = Object.freeze(
  Object.fromEntries(Object.entries(TOPIC_POLICIES).map(([kind, policy]) => [kind, policy.carries])) as Record<
    TopicKind,
    readonly MessageType[]
  >,
);

/** True when a message of `type` may arrive on a topic of `kind`; the client drops anything else. */
export function topicCarries(kind: TopicKind, type: MessageType): boolean {
  return TOPIC_POLICIES[kind].carries.includes(type);
}
