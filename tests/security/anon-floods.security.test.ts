/**
 * With the anon key alone, 200 idle public joins filled the tenant's
 * concurrent-users limit, and a flood of public broadcasts tripped its events counter (members'
 * REST broadcasts got 429, database broadcasts were dropped). With the recommended setting
 * (private-only, the local stack's default) both attacks are refused with Supabase's `PrivateOnly`
 * reason and members are unaffected. Each attack is also run with public channels allowed, to
 * show that it does lock members out there (so these tests can fail). One path remains open on
 * Supabase too and is pinned as a documented limit: public REST broadcasts with the anon key.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { activityTopic, territoryTopic } from '../../src/contract/index.ts';
import { configFromEnv } from '../../local-stack/config.ts';
import { AGENT_RUNS, ORGS, PUBLISHERS } from '../../supabase/fixture.ts';
import { BUCKET_MS } from '../../local-stack/realtime/rate-counter.ts';
import { BACKENDS } from '../_db.ts';
import {
  broadcasts,
  Inbox,
  joined,
  ManualClock,
  rawSocket,
  refusedUpgrade,
  startRealtimeStack,
  type RawSocket,
  type RealtimeStack,
} from '../_support/realtime.ts';

const ACME = ORGS.acme.id;
const PRIVATE_ONLY = 'PrivateOnly: This project only allows private channels';
const IDLE_JOINS = 200;
const EVENTS_LIMIT = 10;
/** More than a 5 s bucket may hold at EVENTS_LIMIT events/s. */
const FLOOD = EVENTS_LIMIT * (BUCKET_MS / 1000) + 10;

describe('the private-only setting', () => {
  it('is on by default and read from PUBDEV_REALTIME_PRIVATE_ONLY, strictly', () => {
    expect(configFromEnv({}).realtime.privateOnly).toBe(true);
    expect(configFromEnv({ PUBDEV_REALTIME_PRIVATE_ONLY: 'false' }).realtime.privateOnly).toBe(false);
    expect(configFromEnv({ PUBDEV_REALTIME_PRIVATE_ONLY: 'true' }).realtime.privateOnly).toBe(true);
    expect(() => configFromEnv({ PUBDEV_REALTIME_PRIVATE_ONLY: 'no' })).toThrow(
      'Invalid environment: PUBDEV_REALTIME_PRIVATE_ONLY: PUBDEV_REALTIME_PRIVATE_ONLY must be true or false',
    );
  });
});

describe.each(BACKENDS)('anonymous floods (%s)', (backend) => {
  let rt: RealtimeStack | undefined;
  const sockets: RawSocket[] = [];
  afterEach(async () => {
    for (const raw of sockets.splice(0)) raw.close();
    await rt?.stop();
    rt = undefined;
  });

  /** `count` anon sockets, each asking for a public join; resolves with the join replies. */
  async function idlePublicJoins(stack: RealtimeStack, count: number) {
    for (let i = 0; i < count; i++) {
      const raw = await rawSocket(stack.stack);
      raw.push('1', '1', `realtime:lobby-${i}`, 'phx_join', { config: {} });
      sockets.push(raw);
    }
    return Promise.all(sockets.map((raw) => raw.reply('1')));
  }

  /** The owner's view: joins a private channel, sends over REST, and gets a database broadcast. */
  async function ownerIsServed(stack: RealtimeStack): Promise<void> {
    const owner = await stack.userClient('acmeOwner');
    // The run works on Sunrise Books: its agent_status travels on that publisher's territory topic.
    const runTopic = owner.channel(territoryTopic(ACME, PUBLISHERS.sunriseBooks.territory), {
      config: { private: true },
    });
    const received = broadcasts(runTopic, 'agent_status');
    await joined(runTopic);
    const snapshot = { id: randomUUID(), type: 'user_snapshot', timestamp: new Date().toISOString(), data: {} };
    expect(
      await owner.channel(activityTopic(ACME), { config: { private: true } }).httpSend('user_snapshot', snapshot),
    ).toEqual({ success: true });
    const { rows } = await stack.database.db.query<{ seq: string }>(
      'update public.agent_runs set current_task = $2 where id = $1 returning seq::text',
      [AGENT_RUNS.acmeEnrichment.id, `task ${randomUUID()}`],
    );
    await received.next(
      (m) => (m.payload as { id: string }).id === `${AGENT_RUNS.acmeEnrichment.id}:${rows[0]!.seq}`,
      'the agent_status',
    );
  }

  it(`${IDLE_JOINS} idle public joins are refused with PrivateOnly and take no user slot; the owner gets in`, async () => {
    rt = await startRealtimeStack(backend);
    const replies = await idlePublicJoins(rt, IDLE_JOINS);
    expect(new Set(replies.map((r) => JSON.stringify(r)))).toEqual(
      new Set([JSON.stringify({ status: 'error', response: { reason: PRIVATE_ONLY } })]),
    );
    await ownerIsServed(rt);
  });

  it(`control, public channels allowed: ${IDLE_JOINS} idle public joins lock the owner out (429)`, async () => {
    rt = await startRealtimeStack(backend, { privateOnly: false });
    const replies = await idlePublicJoins(rt, IDLE_JOINS);
    expect(replies.filter((r) => r.status === 'ok')).toHaveLength(IDLE_JOINS);
    expect(await refusedUpgrade(rt.stack, { apikey: rt.stack.config.anonKey, vsn: '2.0.0' })).toEqual({
      status: 429,
      body: { error: 'Too many connected users' },
    });
  });

  /** An anon socket that tries a public join, then floods broadcasts on it; resolves with the replies. */
  async function publicBroadcastFlood(stack: RealtimeStack) {
    const raw = await rawSocket(stack.stack);
    sockets.push(raw);
    raw.push('1', '1', 'realtime:lobby', 'phx_join', { config: { broadcast: { ack: true } } });
    const join = await raw.reply('1');
    for (let i = 0; i < FLOOD; i++)
      raw.push('1', `b${i}`, 'realtime:lobby', 'broadcast', { type: 'broadcast', event: 'spam', payload: { i } });
    const replies = await Promise.all(Array.from({ length: FLOOD }, (_, i) => raw.reply(`b${i}`)));
    return { join, replies };
  }

  it('a public broadcast flood is refused (no channel to send on); members keep REST and database broadcasts', async () => {
    const clock = new ManualClock();
    rt = await startRealtimeStack(backend, { maxEventsPerSecond: EVENTS_LIMIT }, undefined, clock.now);
    const { join, replies } = await publicBroadcastFlood(rt);
    expect(join).toEqual({ status: 'error', response: { reason: PRIVATE_ONLY } });
    expect(new Set(replies.map((r) => JSON.stringify(r)))).toEqual(
      new Set([JSON.stringify({ status: 'error', response: { reason: 'unmatched topic' } })]),
    );
    // The bucket the flood would have filled completes: the 60 s average is what the limit reads.
    clock.advance(BUCKET_MS);
    await ownerIsServed(rt);
  });

  it('control, public channels allowed: the same flood gets the owner 429 and drops database broadcasts silently', async () => {
    const clock = new ManualClock();
    const logs = new Inbox<string>();
    rt = await startRealtimeStack(
      backend,
      { maxEventsPerSecond: EVENTS_LIMIT, privateOnly: false },
      logs.push,
      clock.now,
    );
    const { join, replies } = await publicBroadcastFlood(rt);
    expect(join.status).toBe('ok');
    expect(replies.every((r) => r.status === 'ok')).toBe(true);
    clock.advance(BUCKET_MS);
    const owner = await rt.userClient('acmeOwner');
    await expect(
      owner.channel(activityTopic(ACME), { config: { private: true } }).httpSend('user_snapshot', { id: randomUUID() }),
    ).rejects.toThrow('You have exceeded your rate limit');
    await rt.database.db.query('update public.agent_runs set current_task = $2 where id = $1', [
      AGENT_RUNS.acmeEnrichment.id,
      `task ${randomUUID()}`,
    ]);
    await logs.next((line) => /dropped database broadcast .* on org:/.test(line), 'the dropped agent_status');
  });

  it('known limit (docs/security.md): public REST broadcasts with the anon key still count against the tenant, as on Supabase', async () => {
    const clock = new ManualClock();
    rt = await startRealtimeStack(backend, { maxEventsPerSecond: EVENTS_LIMIT }, undefined, clock.now);
    // Batches no larger than the limit, so that each is accepted within one bucket (§3.6.1).
    for (let sent = 0; sent < FLOOD; sent += EVENTS_LIMIT) {
      const batch = await fetch(`${rt.stack.url}/realtime/v1/api/broadcast`, {
        method: 'POST',
        headers: { apikey: rt.stack.config.anonKey, 'content-type': 'application/json' },
        body: JSON.stringify({
          messages: Array.from({ length: EVENTS_LIMIT }, (_, i) => ({
            topic: 'lobby',
            event: 'spam',
            payload: { i: sent + i },
          })),
        }),
      });
      expect(batch.status).toBe(202);
    }
    clock.advance(BUCKET_MS);
    const owner = await rt.userClient('acmeOwner');
    await expect(
      owner.channel(activityTopic(ACME), { config: { private: true } }).httpSend('user_snapshot', { id: randomUUID() }),
    ).rejects.toThrow('You have exceeded your rate limit');
  });
});
