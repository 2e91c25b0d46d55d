import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activityTopic } from '../../src/contract/index.ts';
import { AGENT_RUNS, ORGS } from '../../supabase/fixture.ts';
import { BUCKET_MS } from '../../local-stack/index.ts';
import { BACKENDS } from '../_db.ts';
import {
  broadcasts,
  Inbox,
  joined,
  ManualClock,
  rawSocket,
  startRealtimeStack,
  systemMessages,
  VSNS,
  type RealtimeStack,
} from '../_support/realtime.ts';

describe.each(BACKENDS)('Realtime protocol on %s', (backend) => {
  let rt: RealtimeStack;
  beforeAll(async () => {
    // Public rooms are part of the protocol under test: opt out of the private-only default.
    rt = await startRealtimeStack(backend, { privateOnly: false });
  });
  afterEach(() => rt.closeClients());
  afterAll(() => rt?.stop());

  describe.each(VSNS)('vsn %s', (vsn) => {
    it('answers heartbeats (§1.5)', async () => {
      const beats = new Inbox<string>();
      const client = rt.client({ vsn, heartbeatIntervalMs: 50, heartbeatCallback: beats.push });
      await joined(client.channel('room-heartbeat'));
      await beats.next((status) => status === 'ok', 'a heartbeat answered ok');
      expect(beats.items.filter((s) => s === 'timeout' || s === 'error')).toEqual([]);
    });

    it('joins with postgres_changes: reply ids, "Subscribed to PostgreSQL", changes, and a re-subscription on access_token (§2.5, §6.5)', async () => {
      const client = await rt.userClient('acmeOwner', { vsn });
      const channel = client.channel(`room-pg-${vsn}`);
      const changes = new Inbox<{ eventType: string; new: Record<string, unknown> }>();
      // agent_runs: in the supabase_realtime publication (with publishers; inserts and updates only).
      const run = AGENT_RUNS.acmeEnrichment.id;
      channel.on(
        'postgres_changes',
        { event: 'UPDATE', schema: 'public', table: 'agent_runs', filter: `id=eq.${run}` },
        (p) => changes.push(p as never),
      );
      const system = systemMessages(channel);
      await joined(channel);
      expect(await system.next()).toEqual({
        extension: 'postgres_changes',
        status: 'ok',
        message: 'Subscribed to PostgreSQL',
        channel: `room-pg-${vsn}`,
      });
      await rt.stack.db.query(`update public.agent_runs set current_task = $1 where id = $2`, [`Task ${vsn}`, run]);
      expect(await changes.next()).toMatchObject({
        eventType: 'UPDATE',
        new: { id: run, current_task: `Task ${vsn}` },
      });

      await client.realtime.setAuth(await rt.token('acmeOwner', 7200));
      await system.next((m) => system.items.indexOf(m) === 1, 'a second system message');
      expect(system.items.map((m) => m.message)).toEqual(['Subscribed to PostgreSQL', 'Subscribed to PostgreSQL']);
    });
  });

  it('an invalid access_token closes the channel with a system error; null, unchanged and sb_ tokens are ignored (§6.5)', async () => {
    const raw = await rawSocket(rt.stack);
    raw.push('1', '1', 'realtime:room-token', 'phx_join', { config: {} });
    expect((await raw.reply('1')).status).toBe('ok');
    raw.push('1', '2', 'realtime:room-token', 'access_token', { access_token: null });
    raw.push('1', '3', 'realtime:room-token', 'access_token', { access_token: rt.stack.config.anonKey });
    raw.push('1', '4', 'realtime:room-token', 'access_token', { access_token: rt.stack.config.publishableKey });
    raw.push(null, '5', 'phoenix', 'heartbeat', {});
    await raw.reply('5');
    raw.push('1', '6', 'realtime:room-token', 'access_token', { access_token: 'garbage' });
    const close = await raw.frames.next(
      (f) => f.kind === 'text' && (f.value as unknown[])[3] === 'phx_close',
      'phx_close',
    );
    expect(close.value).toEqual(['1', '1', 'realtime:room-token', 'phx_close', {}]);
    const texts = raw.frames.items
      .map((f) => f.value as unknown[])
      .filter((m) => m[2] === 'realtime:room-token' && m[3] !== 'phx_reply');
    expect(texts).toEqual([
      [
        '1',
        null,
        'realtime:room-token',
        'system',
        {
          extension: 'system',
          status: 'error',
          message: 'The token provided is not a valid JWT',
          channel: 'room-token',
        },
      ],
      ['1', '1', 'realtime:room-token', 'phx_close', {}],
    ]);
    raw.close();
  });

  it('replays stored private broadcasts before live ones, oldest first, marked replayed (§3.4)', async () => {
    const topic = activityTopic(ORGS.acme.id);
    const since = Date.now() - 1000;
    for (const n of [1, 2, 3]) {
      await rt.stack.db.query(`select realtime.send(jsonb_build_object('n', $1::int), 'stored', $2)`, [n, topic]);
    }
    const client = await rt.userClient('acmeWest');
    const channel = client.channel(topic, { config: { private: true, broadcast: { replay: { since, limit: 2 } } } });
    const inbox = broadcasts(channel);
    await joined(channel);
    await inbox.next((m) => (m.payload as { n?: number }).n === 3);
    expect(inbox.items.map((m) => [(m.payload as { n: number }).n, m.meta?.replayed])).toEqual([
      [2, true],
      [3, true],
    ]);
    expect(inbox.items[0]?.meta?.id).toMatch(/^[0-9a-f-]{36}$/);

    const raw = await rawSocket(rt.stack);
    raw.push('1', '1', 'realtime:room-public-replay', 'phx_join', { config: { broadcast: { replay: { since } } } });
    expect(await raw.reply('1')).toEqual({
      status: 'error',
      response: { reason: 'UnableToReplayMessages: Replay is not allowed for public channels' },
    });
    raw.close();
  });
});

describe.each(BACKENDS)('Realtime idle timeout on %s', (backend) => {
  let rt: RealtimeStack;
  beforeAll(async () => {
    rt = await startRealtimeStack(backend, { idleTimeoutMs: 1000, privateOnly: false });
  });
  afterEach(() => rt.closeClients());
  afterAll(() => rt?.stop());

  it('closes an idle socket after idleTimeoutMs, while a client that heartbeats stays (§1.5)', async () => {
    const client = rt.client({ heartbeatIntervalMs: 200 });
    const channel = client.channel('room-idle');
    const statuses = await joined(channel);
    const raw = await rawSocket(rt.stack);
    expect((await raw.closed).code).toBe(1000);
    expect(statuses.items).toEqual([{ status: 'SUBSCRIBED' }]);
    expect(client.realtime.isConnected()).toBe(true);
  });
});

describe.each(BACKENDS)('Realtime events/s limit on %s', (backend) => {
  let rt: RealtimeStack;
  const clock = new ManualClock();
  beforeAll(async () => {
    rt = await startRealtimeStack(backend, { maxEventsPerSecond: 1, privateOnly: false }, undefined, clock);
  });
  afterEach(() => rt.closeClients());
  afterAll(() => rt?.stop());

  it('over the events/s average, receiving channels close with "Too many messages per second" and REST (ping too) answers 429 (§8.2, §8.3)', async () => {
    const ping = () =>
      fetch(`${rt.stack.url}/realtime/v1/api/ping`, { headers: { apikey: rt.stack.config.anonKey } }).then(
        async (response) => ({
          status: response.status,
          body: await response.json(),
          rolling: response.headers.get('x-rate-rolling'),
        }),
      );
    expect(await ping()).toEqual({ status: 200, body: { message: 'Success' }, rolling: '0' });
    const sender = rt.client({ heartbeatIntervalMs: 200 }).channel('room-rate');
    const receiver = rt.client({ heartbeatIntervalMs: 200 }).channel('room-rate');
    const system = systemMessages(receiver);
    const received = broadcasts(receiver, 'burst');
    await joined(sender);
    const statuses = await joined(receiver);
    // Each broadcast counts twice (the send and the delivery): 2 × 40 events exceed 1/s over any 60 s window.
    for (let i = 0; i < 40; i++) await sender.send({ type: 'broadcast', event: 'burst', payload: { i } });
    // All 40 counted in the current bucket before the clock moves on.
    await received.next((m) => (m.payload as { i: number }).i === 39, 'the last burst message');
    // The counter averages completed 5 s buckets: complete the current one on the stack's clock.
    clock.advance(BUCKET_MS);
    await sender.send({ type: 'broadcast', event: 'one-more', payload: {} });

    expect(await system.next()).toEqual({
      extension: 'system',
      status: 'error',
      message: 'Too many messages per second',
      channel: 'room-rate',
    });
    await statuses.next((s) => s.status === 'CLOSED');
    await expect(rt.client().channel('room-rate').httpSend('x', {})).rejects.toThrow(
      'You have exceeded your rate limit',
    );
    // The ping passes the same rate limiter: how a client or a health check tells the quota is spent.
    expect(await ping()).toEqual({
      status: 429,
      body: { message: 'Too many requests' },
      rolling: expect.stringMatching(/^\d+$/),
    });
  });
});
