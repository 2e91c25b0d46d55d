import type { MessageType } from './message-types.ts';
import type { TopicEvent } from './topic-events.ts';
import type { TopicKind } from './topics.ts';

/*
 * What each kind of topic is for, and who may do what on it. This table is the source of truth:
 * the realtime.messages policies (private.can_read_topic / can_write_topic) implement it, the
 * policy-matrix tests are generated from it, and the client accepts a message type or topic
 * event only from the topics that carry it.
 *
 * RATIONALE: every topic is either server-authoritative or collaborative, never both. Realtime's
 * write check sees the topic and the extension (broadcast or presence), never the event name, so
 * a topic that accepts client broadcasts cannot tell a forged `publisher_update` from the
 * database's. Server-authoritative topics therefore accept no client broadcast at all (presence
 * is a different extension and cannot carry a message type).
 *
 * RATIONALE (identity): Realtime's policies see neither a presence key nor a payload, so nothing a
 * client broadcasts can be trusted to say who it comes from. Every contract message and topic
 * event is therefore authored by the database (user_snapshot through report_activity, drafts
 * through share_draft, with `auth.uid()` as the person) and travels on server-authoritative
 * topics; collaborative topics carry presence, whose identity is checked against tickets the
 * database issued (presence-claims.ts), and nothing a client accepts from their broadcasts. The
 * activity topic stays collaborative for compatibility; the client no longer joins it.
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
  /** The topic events (topic-events.ts; not contract messages) this topic carries. */
  readonly events: readonly TopicEvent[];
  readonly readers: TopicReaders;
  readonly presence: TopicWriters;
  readonly broadcast: TopicWriters;
}

export const TOPIC_POLICIES: Readonly<Record<TopicKind, TopicPolicy>> = {
  org: {
    authority: 'server',
    carries: ['agent_status', 'team_update', 'notification', 'user_snapshot'],
    events: ['member_change', 'profile_change'],
    readers: 'members',
    presence: 'readers',
    broadcast: 'none',
  },
  activity: {
    authority: 'collaborative',
    carries: [],
    events: [],
    readers: 'members',
    presence: 'none',
    broadcast: 'people',
  },
  territory: {
    authority: 'server',
    // agent_status: runs about a publisher of the territory (organisation-wide runs go to `org`).
    carries: ['team_update', 'publisher_update', 'user_snapshot', 'agent_status', 'campaign_metric'],
    events: [],
    readers: 'territory',
    presence: 'none',
    broadcast: 'none',
  },
  record: {
    authority: 'server',
    // agent_status, team_update and campaign_metric only for a publisher without a territory,
    // whose runs and items have no territory topic (and must not go to the org topic, which
    // restricted members read).
    carries: ['publisher_update', 'agent_status', 'team_update', 'campaign_metric'],
    events: ['draft'],
    readers: 'publisher',
    presence: 'none',
    broadcast: 'none',
  },
  collab: {
    authority: 'collaborative',
    carries: [],
    events: [],
    readers: 'publisher',
    presence: 'people',
    broadcast: 'people',
  },
  user: {
    authority: 'server',
    carries: ['notification'],
    events: ['member_change'],
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

/** True when the topic event `event` may arrive on a topic of `kind`; the client drops anything else. */
export function topicCarriesEvent(kind: TopicKind, event: TopicEvent): boolean {
  return TOPIC_POLICIES[kind].events.includes(event);
}
