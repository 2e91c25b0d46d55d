/**
 * The client core when one part of the way fails: a channel that was down while its sibling kept
 * receiving (what it missed is backfilled, exactly once), a REST read that never answers (it is
 * aborted and the catch-up goes on), a territories read that never answers (asked again, then the
 * territory topics joined), a socket whose handshake went into a black hole (dropped and
 * opened again), and a topic the supabase-js client already has a channel of (reported and
 * retried, never an unhandled rejection).
 */
import { createServer, type Server } from 'node:http';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { orgTopic, territoryTopic, userTopic } from '../../src/contract/index.ts';
import { CATCH_UP_OVERLAP_MS } from '../../src/realtime/catch-up.ts';
import { createRealtimeClient, type RealtimeError, type Timers } from '../../src/realtime/index.ts';
import { FIXTURE_PASSWORD, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { startFaultProxy, type FaultProxy } from '../reliability/_fault-proxy.ts';
import { ACME, record, startClientStack, until, type ClientStack } from './_client-stack.ts';

const OWNER = USERS.acmeOwner;

/** A supabase-js client signed in as the owner, with what the test puts between it and the stack. */
async function ownerClient(
  rt: ClientStack,
  options: { fetch?: typeof fetch; transport?: typeof WebSocket } = {},
): Promise<SupabaseClient> {
  const client = createClient(rt.stack.url, rt.stack.config.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(options.fetch ? { global: { fetch: options.fetch } } : {}),
    ...(options.transport ? { realtime: { transport: options.transport } } : {}),
  });
  const { error } = await client.auth.signInWithPassword({ email: OWNER.email, password: FIXTURE_PASSWORD });
  if (error) throw error;
  return client;
}

/**
 * A fetch that sends the first request matching `matches` to a server that accepts it and never
 * answers; every other request goes to the stack.
 */
async function swallowFirst(matches: (url: URL) => boolean) {
  const silent: Server = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentPort = (silent.address() as { port: number }).port;
  let swallowed = 0;
  const fetchVia: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (swallowed > 0 || !matches(url)) return fetch(input, init);
    swallowed++;
    url.port = String(silentPort);
    return fetch(url, init);
  };
  return {
    fetch: fetchVia,
    swallowed: () => swallowed,
    async close() {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    },
  };
}

/**
 * Real timers, except that while `hold()` is on, a timer of the channel registry's first retry
 * (250 ms after a channel failed) waits for `release()`: the test decides how long a channel stays
 * down. (The connection sampler also ticks every 250 ms; holding it only pauses status updates.)
 */
function retryGate(): { timers: Timers; hold(): void; release(): void } {
  const FIRST_RETRY_MS = 250;
  let holding = false;
  const held: (() => void)[] = [];
  return {
    timers: {
      setTimeout: (callback, ms) =>
        setTimeout(() => (holding && ms === FIRST_RETRY_MS ? held.push(callback) : callback()), ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
    hold: () => void (holding = true),
    release() {
      holding = false;
      for (const callback of held.splice(0)) callback();
    },
  };
}

describe.each(BACKENDS)('a channel down while its sibling receives (%s)', (backend) => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack(backend);
  });
  afterAll(() => rt.stop());

  it('a personal notification sent while only the user channel was down arrives once, after a later org-wide one', async () => {
    const gate = retryGate();
    // No periodic catch-up: only the re-created channel's backfill can bring the lost message.
    const { core, supabase } = await rt.core('acmeOwner', { catchUpIntervalMs: 3_600_000, timers: gate.timers });
    const arrivals: string[] = [];
    core.notifications.onNotification((n) => arrivals.push(n.id));
    const feed = record(core.notifications);
    const user = userTopic(OWNER.id);
    const joined = (topic: string) => core.channelStates().some((c) => c.topic === topic && c.state === 'joined');
    const access = record(core.access);
    await expect.poll(() => joined(user) && joined(orgTopic(ACME)), { timeout: 8000 }).toBe(true);
    await until(core.access, (a) => a.status === 'member', 'the membership');
    // markAllRead resolves after a re-read that started once every read in flight had landed: from
    // here on no catch-up runs until something asks for one.
    expect(await core.notifications.markAllRead()).toEqual({ ok: true });
    expect(core.notifications.getSnapshot().notifications.length).toBeGreaterThan(0);

    // The user channel goes down (the server closed it; its re-creation waits for the gate).
    gate.hold();
    const channel = supabase.getChannels().find((c) => c.topic === `realtime:${user}`)!;
    await channel.unsubscribe();
    await expect.poll(() => joined(user), { timeout: 4000 }).toBe(false);
    const service = rt.service();
    const lost = await service
      .from('notifications')
      .insert({
        organization_id: ACME,
        user_id: OWNER.id,
        level: 'info',
        message: 'Sent while the user channel was down',
      })
      .select('id')
      .single();
    expect(lost.error).toBeNull();
    const lostId = (lost.data as { id: string }).id;

    // Later than the catch-up's overlap, an org-wide notification arrives live on the org channel.
    await new Promise((resolve) => setTimeout(resolve, CATCH_UP_OVERLAP_MS + 500));
    const live = await service
      .from('notifications')
      .insert({ organization_id: ACME, level: 'info', message: 'Org-wide, live on the sibling channel' })
      .select('id')
      .single();
    expect(live.error).toBeNull();
    const liveId = (live.data as { id: string }).id;
    await until(core.notifications, (s) => s.notifications.some((n) => n.id === liveId), 'the live org-wide one');
    expect(arrivals).not.toContain(lostId);

    // The user channel is re-created; its backfill brings what it missed, exactly once.
    gate.release();
    await until(core.notifications, (s) => s.notifications.some((n) => n.id === lostId), 'the lost notification');
    expect(joined(user)).toBe(true);
    const final = core.notifications.getSnapshot().notifications.map((n) => n.id);
    expect(final.filter((id) => id === lostId)).toHaveLength(1);
    expect(final.filter((id) => id === liveId)).toHaveLength(1);
    expect(arrivals.filter((id) => id === lostId)).toHaveLength(1);
    expect(arrivals.filter((id) => id === liveId)).toHaveLength(1);
    feed.stop();
    access.stop();
  });
});

describe('requests and sockets that never answer (pglite)', () => {
  let rt: ClientStack;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  beforeAll(async () => {
    rt = await startClientStack('pglite');
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => expect(unhandled).toEqual([]));
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await rt.stop();
  });

  it('a backfill read that never answers is aborted after readTimeoutMs, reported, and the next catch-up loads', async () => {
    // The first notifications read goes into a server that never answers.
    const hole = await swallowFirst((url) => url.pathname === '/rest/v1/my_notifications');
    const supabase = await ownerClient(rt, { fetch: hole.fetch });
    const core = createRealtimeClient({
      supabase,
      organizationId: ACME,
      channelGraceMs: 50,
      readTimeoutMs: 400,
      catchUpIntervalMs: 1000,
    });
    const errors: RealtimeError[] = [];
    core.onError((error) => errors.push(error));
    const feed = record(core.notifications);
    try {
      await until(core.notifications, (s) => s.notifications.length > 0, 'notifications after the hung read');
      expect(hole.swallowed()).toBe(1);
      const timeout = errors.find((e) => e.context.kind === 'request');
      expect(timeout?.context).toEqual({ kind: 'request', operation: 'notifications backfill' });
      expect(timeout?.message).toBe('notifications backfill: no answer within 400 ms');
    } finally {
      feed.stop();
      await core.dispose();
      await supabase.removeAllChannels();
      await hole.close();
    }
  });

  it('a territories read that never answers is asked again, and the territory topics are then joined', async () => {
    // The first read of the user's territories goes into a server that never answers.
    const hole = await swallowFirst(
      (url) => url.pathname === '/rest/v1/organization_members' && url.search.includes('territories'),
    );
    const supabase = await ownerClient(rt, { fetch: hole.fetch });
    const core = createRealtimeClient({ supabase, organizationId: ACME, channelGraceMs: 50, readTimeoutMs: 400 });
    const errors: RealtimeError[] = [];
    core.onError((error) => errors.push(error));
    const stop = core.teamUpdates.subscribe(() => {});
    try {
      await expect
        .poll(() => core.channelTopics(), { timeout: 8000, interval: 100 })
        .toContain(territoryTopic(ACME, PUBLISHERS.sunriseBooks.territory));
      expect(hole.swallowed()).toBe(1);
      expect(errors.find((e) => e.context.kind === 'request')?.message).toBe('territories: no answer within 400 ms');
    } finally {
      stop();
      await core.dispose();
      await supabase.removeAllChannels();
      await hole.close();
    }
  });

  it('a socket whose handshake goes into a black hole is dropped after connectTimeoutMs and opened again', async () => {
    const stackPort = Number(new URL(rt.stack.url).port);
    const proxy: FaultProxy = await startFaultProxy({ host: '127.0.0.1', port: stackPort });
    // Realtime's socket goes through the proxy; REST and Auth go straight to the stack.
    const ViaProxy = class extends WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        const target = new URL(url);
        target.port = new URL(proxy.url).port;
        super(target, protocols);
      }
    };
    proxy.blackhole({ newToo: true });
    const supabase = await ownerClient(rt, { transport: ViaProxy });
    const core = createRealtimeClient({ supabase, organizationId: ACME, channelGraceMs: 50, connectTimeoutMs: 1000 });
    const feed = record(core.teamUpdates);
    try {
      const stuck = await until(core.connection, (c) => c.lastError?.context.kind === 'connection', 'the timeout');
      expect(stuck.lastError?.context).toEqual({
        kind: 'connection',
        reason: 'the socket did not open within 1000 ms; connecting again',
      });
      expect(stuck.status).toBe('connecting');
      proxy.heal();
      await until(core.connection, (c) => c.status === 'connected', 'the next attempt to connect', 8000);
      expect(proxy.accepted).toBeGreaterThanOrEqual(2);
      await expect
        .poll(() => core.channelStates().some((c) => c.topic === orgTopic(ACME) && c.state === 'joined'), {
          timeout: 8000,
        })
        .toBe(true);
    } finally {
      feed.stop();
      await core.dispose();
      await supabase.removeAllChannels();
      await proxy.close();
    }
  });

  it('a topic the supabase-js client already has a channel of is reported and retried, not an unhandled rejection', async () => {
    const supabase = await ownerClient(rt);
    await supabase.realtime.setAuth();
    // Someone else's channel of the org topic on the same client, already subscribed.
    const foreign = supabase.channel(orgTopic(ACME), { config: { private: true } });
    await new Promise<void>((resolve) => foreign.subscribe((status) => status === 'SUBSCRIBED' && resolve()));
    const core = createRealtimeClient({ supabase, organizationId: ACME, channelGraceMs: 50 });
    const errors: RealtimeError[] = [];
    core.onError((error) => errors.push(error));
    const feed = record(core.teamUpdates);
    try {
      await expect
        .poll(() => errors.some((e) => e.context.kind === 'channel' && e.context.topic === orgTopic(ACME)), {
          timeout: 8000,
        })
        .toBe(true);
      const error = errors.find((e) => e.context.kind === 'channel' && e.context.topic === orgTopic(ACME))!;
      expect(error.message).toBe(
        `${orgTopic(ACME)}: could not open the channel: the supabase-js client already has a channel of ${orgTopic(ACME)} that the realtime core did not open`,
      );
      // The foreign channel was left alone, and the core's own joins once it is gone.
      expect(foreign.state).toBe('joined');
      await supabase.removeChannel(foreign);
      await expect
        .poll(() => core.channelStates().some((c) => c.topic === orgTopic(ACME) && c.state === 'joined'), {
          timeout: 10_000,
        })
        .toBe(true);
    } finally {
      feed.stop();
      await core.dispose();
      await supabase.removeAllChannels();
    }
  });
});
