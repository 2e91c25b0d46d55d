/**
 * The rule the topic design is built on, checked on the contract itself: every topic kind is either
 * server-authoritative (no client broadcast; the database's messages) or collaborative (client
 * broadcast; only client-originated types), never both. A future topic that breaks it fails here.
 */
import { describe, expect, it } from 'vitest';
import {
  CLIENT_ORIGINATED_TYPES,
  COLLAB_EVENTS,
  MESSAGE_TYPES,
  TOPIC_KINDS,
  TOPIC_POLICIES,
  topicCarries,
} from '../../src/contract/index.ts';

const KINDS = TOPIC_KINDS.map((kind) => [kind, TOPIC_POLICIES[kind]] as const);
const CLIENT_TYPES: readonly string[] = CLIENT_ORIGINATED_TYPES;
const SERVER_TYPES = MESSAGE_TYPES.filter((type) => !CLIENT_TYPES.includes(type));

describe('topic authority (src/contract/topic-policy.ts)', () => {
  it('describes every topic kind', () => {
    expect(Object.keys(TOPIC_POLICIES).toSorted()).toEqual([...TOPIC_KINDS].toSorted());
  });

  it.each(KINDS)('%s is server-authoritative or collaborative, never both', (_kind, policy) => {
    if (policy.authority === 'server') {
      expect(policy.broadcast).toBe('none');
      expect(policy.collabEvents).toEqual([]);
    } else {
      expect(policy.broadcast).not.toBe('none');
      for (const type of policy.carries) expect(CLIENT_TYPES).toContain(type);
    }
  });

  it('no topic clients may broadcast on carries a server-originated type', () => {
    const writable = KINDS.filter(([, policy]) => policy.broadcast !== 'none');
    const leaks = writable.flatMap(([kind]) =>
      SERVER_TYPES.filter((type) => topicCarries(kind, type)).map((type) => `${kind} carries ${type}`),
    );
    expect(leaks).toEqual([]);
    expect(writable.map(([kind]) => kind).toSorted()).toEqual(['activity', 'collab']);
  });

  it('every server-originated type travels on at least one server-authoritative topic', () => {
    for (const type of SERVER_TYPES) {
      expect(
        KINDS.filter(([kind, policy]) => policy.authority === 'server' && topicCarries(kind, type)).length,
        type,
      ).toBeGreaterThan(0);
    }
  });

  it('agent accounts never broadcast: collaborative topics take broadcasts from people only', () => {
    for (const [kind, policy] of KINDS) {
      if (policy.authority === 'collaborative') expect(policy.broadcast, kind).toBe('people');
    }
  });

  it('collaborative events are the documented ones and only collaborative topics carry them', () => {
    for (const [kind, policy] of KINDS) {
      for (const event of policy.collabEvents) expect(COLLAB_EVENTS, kind).toContain(event);
    }
    expect(TOPIC_POLICIES.collab.collabEvents).toEqual(['draft']);
  });

  it('a publisher_update is accepted from the record and territory topics only', () => {
    expect(TOPIC_KINDS.filter((kind) => topicCarries(kind, 'publisher_update')).toSorted()).toEqual([
      'record',
      'territory',
    ]);
  });
});
