import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../local-stack/realtime/serializer.ts';

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

// The test vectors of realtime-js's serializer tests, quoted in the protocol reference §1.4.3.
describe('Realtime wire codec', () => {
  it('decodes the kind-3 user broadcast push vector', () => {
    const frame = bytes([3, 2, 1, 3, 10, 0, 1], '10', '1', 'top', 'user-event', '{"a":"b"}');
    expect(decodeFrame('2.0.0', frame, true)).toEqual({
      ok: true,
      frame: {
        kind: 'user_broadcast',
        joinRef: '10',
        ref: '1',
        topic: 'top',
        event: 'user-event',
        metadata: null,
        encoding: 'json',
        payload: new Uint8Array(Buffer.from('{"a":"b"}')),
      },
    });
  });

  it('encodes the kind-4 vectors, JSON with metadata and binary without', () => {
    const json = encodeFrame('2.0.0', {
      kind: 'user_broadcast',
      topic: 'top',
      event: 'user-event',
      metadata: { replayed: true },
      encoding: 'json',
      payload: new Uint8Array(Buffer.from('{"a":"b"}')),
    });
    expect(json).toEqual(bytes([4, 3, 10, 17, 1], 'top', 'user-event', '{"replayed":true}', '{"a":"b"}'));
    const binary = encodeFrame('2.0.0', {
      kind: 'user_broadcast',
      topic: 'top',
      event: 'user-event',
      metadata: null,
      encoding: 'binary',
      payload: new Uint8Array([1, 4]),
    });
    expect(binary).toEqual(bytes([4, 3, 10, 0, 0], 'top', 'user-event', [1, 4]));
  });

  it('turns user broadcasts into JSON objects for vsn 1.0.0 and drops binary ones (§3.2)', () => {
    const message = {
      kind: 'user_broadcast',
      topic: 't',
      event: 'e',
      metadata: { id: 'x' },
      encoding: 'json',
      payload: new Uint8Array(Buffer.from('{"a":1}')),
    } as const;
    expect(JSON.parse(encodeFrame('1.0.0', message) as string)).toEqual({
      topic: 't',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'e', payload: { a: 1 }, meta: { id: 'x' } },
      ref: null,
    });
    expect(encodeFrame('1.0.0', { ...message, encoding: 'binary' })).toBeNull();
  });

  it('v2 arrays ⇄ messages; v1 never carries join_ref (§1.4.1)', () => {
    expect(decodeFrame('2.0.0', Buffer.from('["0","1","t","e",{"foo":1}]'), false)).toEqual({
      ok: true,
      // wireBytes: the frame's size, the bound the broadcast size check uses before re-serialising.
      frame: { kind: 'message', joinRef: '0', ref: '1', topic: 't', event: 'e', payload: { foo: 1 }, wireBytes: 27 },
    });
    const out = { kind: 'message', joinRef: '0', ref: '1', topic: 't', event: 'e', payload: { foo: 1 } } as const;
    expect(encodeFrame('2.0.0', out)).toBe('["0","1","t","e",{"foo":1}]');
    expect(JSON.parse(encodeFrame('1.0.0', out) as string)).toEqual({
      topic: 't',
      event: 'e',
      payload: { foo: 1 },
      ref: '1',
    });
  });

  it('rejects malformed input instead of throwing', () => {
    const cases: Array<[string, Buffer, boolean]> = [
      ['2.0.0', Buffer.from('{oops'), false],
      ['2.0.0', Buffer.from('{"topic":"t"}'), false],
      ['2.0.0', Buffer.from('["1","2","t"]'), false],
      ['2.0.0', Buffer.from([0xff, 0xfe]), false],
      ['2.0.0', Buffer.from([9]), true],
      ['2.0.0', Buffer.from([3, 5, 5, 5, 5, 0, 1]), true],
      ['2.0.0', bytes([3, 0, 0, 1, 1, 0, 1], 't', 'e', '{bad'), true],
      ['2.0.0', bytes([3, 0, 0, 1, 1, 0, 7], 't', 'e', '{}'), true],
      ['1.0.0', Buffer.from('["1","2","t","e",{}]'), false],
      ['1.0.0', Buffer.from([3]), true],
    ];
    for (const [vsn, frame, binary] of cases) {
      expect(decodeFrame(vsn as '1.0.0' | '2.0.0', frame, binary).ok).toBe(false);
    }
  });
});
