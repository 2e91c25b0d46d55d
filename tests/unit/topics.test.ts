import { describe, expect, it } from 'vitest';
import {
  ContractError,
  MESSAGE_TYPES,
  TOPIC_CARRIES,
  TOPIC_KINDS,
  activityTopic,
  orgTopic,
  parseTopic,
  publisherCollabTopic,
  publisherRecordTopic,
  territoryTopic,
  userTopic,
} from '../../src/contract/index.ts';
import { ORG, PUBLISHER, USER } from './_messages.ts';

describe('topic builders and parseTopic', () => {
  it.each([
    [orgTopic(ORG), `org:${ORG}`, { kind: 'org', orgId: ORG }],
    [activityTopic(ORG), `org:${ORG}:activity`, { kind: 'activity', orgId: ORG }],
    [
      territoryTopic(ORG, 'US_West'),
      `org:${ORG}:territory:US_West`,
      { kind: 'territory', orgId: ORG, territory: 'US_West' },
    ],
    [
      publisherRecordTopic(ORG, PUBLISHER, 'US_West'),
      `org:${ORG}:territory:US_West:publisher:${PUBLISHER}`,
      { kind: 'record', orgId: ORG, territory: 'US_West', publisherId: PUBLISHER },
    ],
    [
      publisherRecordTopic(ORG, PUBLISHER, null),
      `org:${ORG}:unassigned:publisher:${PUBLISHER}`,
      { kind: 'record', orgId: ORG, territory: null, publisherId: PUBLISHER },
    ],
    [
      publisherCollabTopic(ORG, PUBLISHER, 'US_West'),
      `org:${ORG}:territory:US_West:publisher:${PUBLISHER}:collab`,
      { kind: 'collab', orgId: ORG, territory: 'US_West', publisherId: PUBLISHER },
    ],
    [
      publisherCollabTopic(ORG, PUBLISHER, null),
      `org:${ORG}:unassigned:publisher:${PUBLISHER}:collab`,
      { kind: 'collab', orgId: ORG, territory: null, publisherId: PUBLISHER },
    ],
    [userTopic(USER), `user:${USER}`, { kind: 'user', userId: USER }],
  ])('%s round-trips', (topic, expected, parsed) => {
    expect(topic).toBe(expected);
    expect(parseTopic(topic)).toEqual(parsed);
    expect(parseTopic(`realtime:${topic}`)).toEqual(parsed);
  });

  it.each([
    '',
    'user:',
    'org:',
    'org:not-a-uuid',
    `org:${PUBLISHER.toUpperCase()}`,
    `org:${ORG}:`,
    `org:${ORG}:territory:bad territory!`,
    `org:${ORG}:territory:`,
    `org:${ORG}:territory:${'a'.repeat(65)}`,
    `org:${ORG}:unknown:x`,
    `org:${ORG}:activity:x`,
    // The territory-less publisher topic of the old grammar: a record topic now names its scope.
    `org:${ORG}:publisher:${PUBLISHER}`,
    `org:${ORG}:territory:US_West:publisher:not-a-uuid`,
    `org:${ORG}:territory:US_West:publisher:${PUBLISHER}:extra`,
    `org:${ORG}:territory:US_West:publisher:${PUBLISHER}:collab:x`,
    `org:${ORG}:territory::publisher:${PUBLISHER}`,
    `org:${ORG}:unassigned:publisher:${PUBLISHER.toUpperCase()}`,
    `org:${ORG}:unassigned`,
    `user:${USER}:activity`,
    `team:${ORG}`,
    `realtime:realtime:org:${ORG}`,
    `realtime:`,
  ])('rejects %j', (topic) => {
    expect(parseTopic(topic)).toBeNull();
  });

  it.each([
    ['orgId', () => orgTopic('not-a-uuid')],
    ['orgId', () => activityTopic('')],
    ['territory', () => territoryTopic(ORG, 'bad territory!')],
    ['territory', () => territoryTopic(ORG, '')],
    ['orgId', () => territoryTopic('x', 'US_West')],
    ['publisherId', () => publisherRecordTopic(ORG, PUBLISHER.toUpperCase(), 'US_West')],
    ['territory', () => publisherRecordTopic(ORG, PUBLISHER, 'US West')],
    ['publisherId', () => publisherCollabTopic(ORG, 'x', null)],
    ['userId', () => userTopic(`${USER}:x`)],
  ])('builders throw a ContractError naming %s', (field, build) => {
    let thrown: unknown;
    try {
      build();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ContractError);
    expect(thrown).toMatchObject({ code: 'invalid_topic', issues: [{ path: field }] });
    expect((thrown as ContractError).message).toMatch(new RegExp(`^${field}: `));
  });

  it('documents which message types travel on each topic kind', () => {
    expect(Object.keys(TOPIC_CARRIES).toSorted()).toEqual([...TOPIC_KINDS].toSorted());
    const carried = new Set(Object.values(TOPIC_CARRIES).flat());
    expect([...carried].toSorted()).toEqual([...MESSAGE_TYPES].toSorted());
    // Activity is authored by the database now: org-wide on org:<org>, scoped on territory topics.
    expect(TOPIC_CARRIES.activity).toEqual([]);
    expect(TOPIC_KINDS.filter((kind) => TOPIC_CARRIES[kind].includes('user_snapshot'))).toEqual(['org', 'territory']);
  });
});
