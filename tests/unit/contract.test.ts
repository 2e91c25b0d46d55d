import { describe, expect, it } from 'vitest';
import {
  ContractError,
  EVENTS,
  MESSAGE_TYPES,
  assertMessage,
  parseMessage,
  realtimeMessageSchema,
} from '../../src/contract/index.ts';
import { ALL_VALID_MESSAGES, VALID_MESSAGES } from './_messages.ts';

type Json = Record<string, unknown>;

/** A deep copy of a valid message, changed by `edit`. */
function malformed<Message>(message: Message, edit: (copy: Json & { data: Json }) => void): unknown {
  const copy = structuredClone(message) as Json & { data: Json };
  edit(copy);
  return copy;
}

function errorOf(input: unknown): ContractError {
  const result = parseMessage(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.error;
}

describe('parseMessage', () => {
  it.each(ALL_VALID_MESSAGES)('accepts %s', (_name, message) => {
    const result = parseMessage(message);
    expect(result).toEqual({ ok: true, message });
  });

  it('accepts unknown extra keys (forward compatible) and strips them', () => {
    const result = parseMessage({ ...VALID_MESSAGES.notification, extra: 1 });
    expect(result).toEqual({ ok: true, message: VALID_MESSAGES.notification });
  });

  it.each([
    [
      'missing data.agentId',
      malformed(VALID_MESSAGES.agent_status, (m) => delete m.data.agentId),
      'agent_status.data.agentId: Invalid input: expected string, received undefined',
    ],
    [
      'progress > 100',
      malformed(VALID_MESSAGES.agent_status, (m) => ((m.data.progress as Json).progress = 101)),
      'agent_status.data.progress.progress: Too big: expected number to be <=100',
    ],
    ['missing seq on agent_status', malformed(VALID_MESSAGES.agent_status, (m) => delete m.seq), 'agent_status.seq: '],
    ['negative seq', malformed(VALID_MESSAGES.agent_status, (m) => (m.seq = -1)), 'agent_status.seq: Too small'],
    ['bad level', malformed(VALID_MESSAGES.notification, (m) => (m.data.level = 'fatal')), 'notification.data.level: '],
    ['unknown type', { ...VALID_MESSAGES.notification, type: 'chat' }, 'envelope.type: '],
    ['missing type', { id: 'x', data: {}, timestamp: '2026-11-25T17:36:19Z' }, 'envelope.type: '],
    ['not an object', 'hello', 'envelope: Invalid input: expected object, received string'],
    ['bad timestamp', { ...VALID_MESSAGES.team_update, timestamp: 'yesterday' }, 'team_update.timestamp: '],
    ['timestamp without time', { ...VALID_MESSAGES.team_update, timestamp: '2026-11-25' }, 'team_update.timestamp: '],
    [
      'missing version on publisher_update',
      malformed(VALID_MESSAGES.publisher_update, (m) => delete m.version),
      'publisher_update.version: ',
    ],
    ['version 0', { ...VALID_MESSAGES.publisher_update, version: 0 }, 'publisher_update.version: Too small'],
    ['empty id', { ...VALID_MESSAGES.notification, id: '' }, 'notification.id: '],
    ['id over 200 chars', { ...VALID_MESSAGES.notification, id: 'x'.repeat(201) }, 'notification.id: '],
    [
      'mention that is not a uuid',
      malformed(VALID_MESSAGES.team_update, (m) => ((m.data.details as Json).mentions = ['@west'])),
      'team_update.data.details.mentions.0: Invalid UUID',
    ],
    [
      'uppercase publisherId',
      malformed(
        VALID_MESSAGES.publisher_update,
        (m) => (m.data.publisherId = String(m.data.publisherId).toUpperCase()),
      ),
      'publisher_update.data.publisherId: Invalid UUID',
    ],
    [
      'null where the field is not nullable',
      malformed(VALID_MESSAGES.user_snapshot, (m) => ((m.data.activity as Json).status = null)),
      'user_snapshot.data.activity.status: ',
    ],
  ])('rejects %s, naming the field', (_name, input, expected) => {
    const error = errorOf(input);
    expect(error).toBeInstanceOf(ContractError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('invalid_message');
    expect(error.message.startsWith(expected)).toBe(true);
    expect(error.issues[0]?.path).toBe(expected.slice(0, expected.indexOf(':')));
  });

  it('reports every issue, joined in the message', () => {
    const error = errorOf(
      malformed(VALID_MESSAGES.agent_status, (m) => {
        delete m.data.agentId;
        m.data.status = 'sleeping';
      }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(['agent_status.data.agentId', 'agent_status.data.status']);
    expect(error.message).toContain('; agent_status.data.status: ');
  });
});

describe('assertMessage', () => {
  it('returns the parsed message', () => {
    expect(assertMessage(VALID_MESSAGES.agent_status)).toEqual(VALID_MESSAGES.agent_status);
  });

  it('throws a ContractError naming the field', () => {
    expect(() => assertMessage({ ...VALID_MESSAGES.agent_status, timestamp: 'now' })).toThrow(
      expect.objectContaining({
        name: 'ContractError',
        code: 'invalid_message',
        message: expect.stringMatching(/^agent_status\.timestamp: /),
      }),
    );
  });
});

describe('message types and events', () => {
  it('EVENTS names each type by the type itself', () => {
    expect(Object.values(EVENTS).toSorted()).toEqual([...MESSAGE_TYPES].toSorted());
    expect(EVENTS.agentStatus).toBe('agent_status');
  });

  it('the union discriminates on exactly MESSAGE_TYPES', () => {
    expect(realtimeMessageSchema.options.map((option) => option.shape.type.value)).toEqual([...MESSAGE_TYPES]);
  });
});
