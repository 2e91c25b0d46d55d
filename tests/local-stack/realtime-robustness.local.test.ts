import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../_db.ts';
import {
  broadcasts,
  firstStatus,
  joined,
  rawSocket,
  startRealtimeStack,
  type RawSocket,
  type RealtimeStack,
} from '../_support/realtime.ts';

/** Small limits so the tests can reach them: 3 channels per socket, 1 KB payloads, 64 KB frames. */
// Public rooms stand in for any channel here: the suite opts out of the private-only default.
const LIMITS = {
  maxChannelsPerClient: 3,
  maxPayloadSizeKb: 1,
  maxFrameBytes: 64_000,
  maxJoinsPerSecond: 10_000,
  privateOnly: false,
};

/** A kind-3 user broadcast push (§1.4.3), as realtime-js encodes `channel.send` on vsn 2.0.0. */
function kind3(
  joinRef: string,
  ref: string,
  topic: string,
  event: string,
  payload: Buffer,
  encoding = 1,
  meta = '',
): Buffer {
  const fields = [joinRef, ref, topic, event, meta].map((f) => Buffer.from(f, 'utf8'));
  const header = Buffer.from([3, ...fields.map((f) => f.length), encoding]);
  return Buffer.concat([header, ...fields, payload]);
}

/** mulberry32: a tiny seeded PRNG, so a failing fuzz run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function heartbeatAnswered(raw: RawSocket, ref: string): Promise<void> {
  raw.push(null, ref, 'phoenix', 'heartbeat', {});
  expect(await raw.reply(ref)).toEqual({ status: 'ok', response: {} });
}

describe.each(BACKENDS)('Realtime robustness on %s', (backend) => {
  let rt: RealtimeStack;
  const logs: string[] = [];
  beforeAll(async () => {
    rt = await startRealtimeStack(backend, LIMITS, (line) => logs.push(line));
  });
  afterEach(() => rt.closeClients());
  afterAll(() => rt?.stop());

  it('answers heartbeats, unmatched topics and duplicate joins as Phoenix does (§1.5, §2.1, §2.6)', async () => {
    const raw = await rawSocket(rt.stack);
    await heartbeatAnswered(raw, '1');
    raw.push('2', '2', 'not-realtime', 'phx_join', {});
    expect(await raw.reply('2')).toEqual({ status: 'error', response: { reason: 'unmatched topic' } });
    raw.push(null, '3', 'realtime:never-joined', 'broadcast', { event: 'x', payload: {} });
    expect(await raw.reply('3')).toEqual({ status: 'error', response: { reason: 'unmatched topic' } });
    raw.push('4', '4', 'realtime:', 'phx_join', {});
    expect(await raw.reply('4')).toEqual({
      status: 'error',
      response: { reason: 'TopicNameRequired: You must provide a topic name' },
    });

    raw.push('5', '5', 'realtime:dup', 'phx_join', { config: {} });
    expect(await raw.reply('5')).toEqual({ status: 'ok', response: { postgres_changes: [] } });
    raw.push('6', '6', 'realtime:dup', 'phx_join', { config: {} });
    expect(await raw.reply('6')).toEqual({ status: 'ok', response: { postgres_changes: [] } });
    // The old join is closed under its own join_ref before the new one is answered.
    const texts = raw.frames.items.filter((f) => f.kind === 'text').map((f) => f.value as unknown[]);
    const close = texts.findIndex((m) => m[3] === 'phx_close');
    expect(texts[close]).toEqual(['5', '5', 'realtime:dup', 'phx_close', {}]);
    expect(close).toBeLessThan(texts.findIndex((m) => m[1] === '6'));

    raw.push('6', '7', 'realtime:dup', 'phx_leave', {});
    expect(await raw.reply('7')).toEqual({ status: 'ok', response: {} });
    await raw.frames.next(
      (f) =>
        f.kind === 'text' && JSON.stringify(f.value) === JSON.stringify(['6', '6', 'realtime:dup', 'phx_close', {}]),
    );
    raw.close();
  });

  it('drops malformed frames without closing the socket or any channel (§1.4)', async () => {
    const listener = rt.client().channel('room-malformed');
    const inbox = broadcasts(listener);
    await joined(listener);
    const raw = await rawSocket(rt.stack);
    raw.push('1', '1', 'realtime:room-malformed', 'phx_join', { config: { broadcast: { self: true } } });
    expect((await raw.reply('1')).status).toBe('ok');

    raw.send('{not json');
    raw.send('{"topic":"realtime:room-malformed"}');
    raw.send('["1","2","realtime:room-malformed"]');
    raw.send('42');
    raw.send(Buffer.from([7, 1, 2, 3]));
    raw.send(Buffer.from([0, 1, 1, 1, 1]));
    raw.send(Buffer.from([3, 200, 200, 200]));
    raw.send(kind3('1', '3', 'realtime:room-malformed', 'bad-json', Buffer.from('{oops')));
    raw.send(kind3('1', '4', 'realtime:room-malformed', 'bad-meta', Buffer.from('{}'), 1, 'not json'));
    await heartbeatAnswered(raw, '5');

    raw.send(kind3('1', '6', 'realtime:room-malformed', 'fine', Buffer.from('{"ok":true}')));
    expect((await inbox.next((m) => m.event === 'fine')).payload).toEqual({ ok: true });
    expect(inbox.items.map((m) => m.event)).toEqual(['fine']);
    // The raw socket's own channel still gets it too, as a kind-4 frame.
    await raw.frames.next((f) => f.kind === 'binary' && f.value[0] === 4);
    raw.close();
  });

  it('closes only the socket that sends an oversized frame (§1.6)', async () => {
    const listener = rt.client().channel('room-oversize');
    const inbox = broadcasts(listener);
    await joined(listener);
    const raw = await rawSocket(rt.stack);
    raw.send(Buffer.alloc(LIMITS.maxFrameBytes + 1, 1));
    expect((await raw.closed).code).toBe(1009);

    const sender = rt.client().channel('room-oversize', { config: { broadcast: { ack: true } } });
    await joined(sender);
    expect(await sender.send({ type: 'broadcast', event: 'after', payload: {} })).toBe('ok');
    await inbox.next((m) => m.event === 'after');
  });

  it('refuses broadcasts over the payload limit: "error" with ack, dropped without (§3.3)', async () => {
    const big = { blob: 'x'.repeat(2000) };
    const acked = rt.client().channel('room-payload', { config: { broadcast: { ack: true, self: true } } });
    const ackedInbox = broadcasts(acked);
    await joined(acked);
    expect(await acked.send({ type: 'broadcast', event: 'big', payload: big })).toBe('error');

    const v1 = rt.client({ vsn: '1.0.0' }).channel('room-payload', { config: { broadcast: { self: true } } });
    await joined(v1);
    expect(await v1.send({ type: 'broadcast', event: 'big', payload: big })).toBe('ok');
    expect(await acked.send({ type: 'broadcast', event: 'small', payload: {} })).toBe('ok');
    await ackedInbox.next((m) => m.event === 'small');
    expect(ackedInbox.items.map((m) => m.event)).toEqual(['small']);
  });

  it('refuses joins beyond the per-socket channel limit: "ChannelRateLimitReached: Too many channels" (§8.3)', async () => {
    const client = rt.client();
    for (let i = 0; i < LIMITS.maxChannelsPerClient; i++) await joined(client.channel(`room-limit-${i}`));
    expect(await firstStatus(client.channel('room-limit-over'))).toEqual({
      status: 'CHANNEL_ERROR',
      error: 'ChannelRateLimitReached: Too many channels',
    });
    // Leaving one frees a slot; another socket has its own allowance.
    await client.channel('room-limit-0').unsubscribe();
    expect(await firstStatus(client.channel('room-limit-again'))).toEqual({ status: 'SUBSCRIBED' });
    expect(await firstStatus(rt.client().channel('room-limit-over'))).toEqual({ status: 'SUBSCRIBED' });
  });

  it('survives thousands of random and garbled frames; clients keep working', async () => {
    const listener = rt.client().channel('room-fuzz');
    const inbox = broadcasts(listener);
    await joined(listener);

    logs.length = 0;
    const random = prng(20261125);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const randomString = (max: number) =>
      Array.from({ length: Math.floor(random() * max) }, () =>
        String.fromCodePoint(pick([0x20, 0x41, 0x7b, 0xe9, 0x2713, 0x1f600]) + Math.floor(random() * 20)),
      ).join('');
    const randomJson = (depth: number): unknown => {
      switch (Math.floor(random() * (depth > 2 ? 5 : 8))) {
        case 0:
          return null;
        case 1:
          return random() < 0.5;
        case 2:
          return Math.floor(random() * 2 ** 40) - 2 ** 39;
        case 3:
          return randomString(12);
        case 4:
          return pick(['true', 'false', 'TRUE', '', 'sb_x', 'eyJ.x.y']);
        case 5:
          return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(depth + 1));
        default: {
          const keys = [
            'config',
            'broadcast',
            'presence',
            'key',
            'enabled',
            'self',
            'ack',
            'private',
            'postgres_changes',
            'access_token',
            'event',
            'payload',
            'type',
            'replay',
          ];
          return Object.fromEntries(
            Array.from({ length: Math.floor(random() * 5) }, () => [pick(keys), randomJson(depth + 1)]),
          );
        }
      }
    };
    const topics = [
      'realtime:room-fuzz',
      'realtime:fuzz-a',
      'realtime:fuzz-b',
      'realtime:',
      'phoenix',
      'other',
      `realtime:${'x'.repeat(300)}`,
    ];
    const events = [
      'phx_join',
      'phx_leave',
      'broadcast',
      'presence',
      'access_token',
      'heartbeat',
      'phx_reply',
      'whatever',
    ];
    const ref = () => pick([null, String(Math.floor(random() * 50)), '', 'x'.repeat(300)]);

    let raw = await rawSocket(rt.stack);
    let reopened = 0;
    for (let i = 0; i < 3000; i++) {
      if (raw.ws.readyState !== raw.ws.OPEN) {
        raw = await rawSocket(rt.stack);
        reopened += 1;
      }
      const roll = random();
      if (roll < 0.15)
        raw.send(
          Buffer.from(
            Array.from({ length: Math.floor(random() * 40) }, (_, j) =>
              j === 0 ? Math.floor(random() * 7) : Math.floor(random() * 256),
            ),
          ),
        );
      else if (roll < 0.3) raw.send(randomString(60));
      else if (roll < 0.45) raw.send(JSON.stringify(randomJson(0)));
      else if (roll < 0.6) {
        const payload = Buffer.from(random() < 0.7 ? JSON.stringify(randomJson(1)) : randomString(20), 'utf8');
        raw.send(
          kind3(
            ref() ?? '',
            ref() ?? '',
            pick(topics).slice(0, 255),
            randomString(10),
            payload,
            Math.floor(random() * 3),
            pick(['', '{}', '{"persist":true}', '[1]']),
          ),
        );
      } else {
        const event = pick(events);
        const payload =
          event === 'presence'
            ? { type: 'presence', event: pick(['track', 'untrack', 'TRACK', 'nope']), payload: randomJson(1) }
            : randomJson(0);
        raw.push(ref(), ref(), pick(topics), event, payload);
      }
    }
    if (raw.ws.readyState === raw.ws.OPEN) await heartbeatAnswered(raw, 'after-fuzz');
    raw.close();
    // Only an invalid frame at the WebSocket level may close a socket; these are all well-formed frames.
    expect(reopened).toBe(0);
    // Bad input is dropped or refused, never an exception inside the server.
    expect(logs.filter((line) => line.startsWith('realtime: error on'))).toEqual([]);
    expect(logs.filter((line) => line.startsWith('realtime: dropped frame')).length).toBeGreaterThan(500);

    const fresh = rt.client().channel('room-fuzz', { config: { broadcast: { ack: true, self: true } } });
    const freshInbox = broadcasts(fresh);
    await joined(fresh);
    expect(await fresh.send({ type: 'broadcast', event: 'alive', payload: { n: 1 } })).toBe('ok');
    await freshInbox.next((m) => m.event === 'alive');
    await inbox.next((m) => m.event === 'alive');
  });
});
