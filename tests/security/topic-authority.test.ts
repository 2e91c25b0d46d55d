/**
 * The rule the topic design is built on, checked on the contract itself: every topic kind is either
 * server-authoritative (no client broadcast; the database's messages) or collaborative (client
 * broadcast and presence, nothing a client accepts from its broadcasts), never both; and every
 * message type and topic event is authored by the database. A future topic that breaks it fails here.
 */
import { describe, expect, it } from 'vitest';
import {
  MESSAGE_TYPES,
  TOPIC_EVENTS,
  TOPIC_KINDS,
  TOPIC_POLICIES,
  topicCarries,
  topicCarriesEvent,
} from '../../src/contract/index.ts';

const KINDS = TOPIC_KINDS.map((kind) => [kind, TOPIC_POLICIES[kind]] as const);

describe('topic authority (src/contract/topic-policy.ts)', () => {
  it('describes every topic kind', () => {
    expect(Object.keys(TOPIC_POLICIES).toSorted()).toEqual([...TOPIC_KINDS].toSorted());
  });

  it.each(KINDS)('%s is server-authoritative or collaborative, never both', (_kind, policy) => {
    if (policy.authority === 'server') {
      expect(policy.broadcast).toBe('none');
    } else {
      expect(policy.broadcast).not.toBe('none');
      // Nothing a client broadcasts carries an identity the client would accept.
      expect(policy.carries).toEqual([]);
      expect(policy.events).toEqual([]);
    }
  });

  it('no topic clients may broadcast on carries a message type or a topic event', () => {
    const writable = KINDS.filter(([, policy]) => policy.broadcast !== 'none');
    const leaks = writable.flatMap(([kind]) => [
      ...MESSAGE_TYPES.filter((type) => topicCarries(kind, type)).map((type) => `${kind} carries ${type}`),
      ...TOPIC_EVENTS.filter((event) => topicCarriesEvent(kind, event)).map((event) => `${kind} carries ${event}`),
    ]);
    expect(leaks).toEqual([]);
    expect(writable.map(([kind]) => kind).toSorted()).toEqual(['activity', 'collab']);
  });

  it('every message type and topic event travels on at least one server-authoritative topic', () => {
    for (const type of MESSAGE_TYPES) {
      expect(
        KINDS.filter(([kind, policy]) => policy.authority === 'server' && topicCarries(kind, type)).length,
        type,
      ).toBeGreaterThan(0);
    }
    for (const event of TOPIC_EVENTS) {
      expect(
        KINDS.filter(([kind, policy]) => policy.authority === 'server' && topicCarriesEvent(kind, event)).length,
        event,
      ).toBeGreaterThan(0);
    }
  });

  it('agent accounts never broadcast: collaborative topics take broadcasts from people only', () => {
    for (const [kind, policy] of KINDS) {
      if (policy.authority === 'collaborative') expect(policy.broadcast, kind).toBe('people');
    }
  });

  it("identity-bearing traffic: drafts on the record topic, member changes on the member's and the organisation's", () => {
    expect(TOPIC_KINDS.filter((kind) => topicCarriesEvent(kind, 'draft'))).toEqual(['record']);
    expect(TOPIC_KINDS.filter((kind) => topicCarriesEvent(kind, 'member_change'))).toEqual(['org', 'user']);
    expect(TOPIC_KINDS.filter((kind) => topicCarriesEvent(kind, 'profile_change'))).toEqual(['org']);
    expect(TOPIC_KINDS.filter((kind) => topicCarries(kind, 'user_snapshot'))).toEqual(['org', 'territory']);
  });

  it('a publisher_update is accepted from the record and territory topics only', () => {
    expect(TOPIC_KINDS.filter((kind) => topicCarries(kind, 'publisher_update')).toSorted()).toEqual([
      'record',
      'territory',
    ]);
  });
});
