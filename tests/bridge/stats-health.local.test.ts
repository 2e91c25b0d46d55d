/**
 * GET /stats (who is connected, from Realtime presence), GET /health (and its 503 when the
 * database is really unreachable), and the 429 of POST /broadcast — on a stack whose bridge
 * runs with a rate limit of 2 requests/s so that a burst surely crosses it.
 */
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { orgTopic } from '../../src/contract/topics.ts';
import { USERS } from '../../supabase/fixture.ts';
import { realtimeUsage } from '../../local-stack/realtime/index.ts';
import { BACKENDS, testAdminUrl } from '../_db.ts';
import { ACME, GLOBEX, startBridgeStack, type BridgeStack, type Caller } from './_bridge.ts';

const RATE_LIMIT = 2;

describe.each(BACKENDS)('GET /stats, GET /health and 429 on %s', (backend) => {
  let bridge: BridgeStack;
  const tabs: RealtimeChannel[] = [];
  const tabClients: SupabaseClient[] = [];

  beforeAll(async () => {
    bridge = await startBridgeStack(backend, { BRIDGE_RATE_LIMIT_PER_SECOND: String(RATE_LIMIT) });
  });
  afterAll(async () => {
    for (const client of tabClients) client.realtime.disconnect();
    await bridge?.stop();
  });

  /** One browser tab of `user`: its own connection, joined to org:<org>, tracking its user id. */
  async function openTab(user: Caller & keyof typeof USERS): Promise<void> {
    const token = await bridge.token(user);
    const client = createClient(bridge.auth.stack.url, bridge.auth.stack.config.anonKey, {
      accessToken: async () => token,
      auth: { persistSession: false, autoRefreshToken: false },
    });
    tabClients.push(client);
    await client.realtime.setAuth();
    const channel = client.channel(orgTopic(USERS[user].orgId), { config: { private: true } });
    await new Promise<void>((resolve, reject) =>
      channel.subscribe((status, error) => (status === 'SUBSCRIBED' ? resolve() : reject(error ?? new Error(status)))),
    );
    // track() resolves once the server acknowledged the presence.
    expect(await channel.track({ userId: USERS[user].id, tab: tabs.length })).toBe('ok');
    tabs.push(channel);
  }

  test('two tabs of one user count as one user and two connections', async () => {
    await openTab('acmeWest');
    await openTab('acmeWest');
    await openTab('acmeOwner');
    const answer = await bridge.request('GET', `/stats?organizationId=${ACME}`, { caller: 'acmeOwner' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      organizationId: ACME,
      users: 2,
      connections: 3,
      perUser: [
        { userId: USERS.acmeOwner.id, connections: 1 },
        { userId: USERS.acmeWest.id, connections: 2 },
      ],
    });
  });

  test('the service role without organizationId gets every organisation', async () => {
    const answer = await bridge.request('GET', '/stats');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      organizations: [
        expect.objectContaining({ organizationId: ACME, users: 2, connections: 3 }),
        { organizationId: GLOBEX, users: 0, connections: 0, perUser: [] },
      ],
    });
  });

  test('GET /stats leaves no channel and no connection of its own on the Realtime tenant', async () => {
    const usage = realtimeUsage(bridge.auth.stack);
    const held = () => ({
      connections: usage.connections,
      acme: usage.channels(orgTopic(ACME), { private: true }),
      globex: usage.channels(orgTopic(GLOBEX), { private: true }),
    });
    // What the tabs above hold, and all that may remain after any number of stats reads.
    const tabsOnly = { connections: tabClients.length, acme: tabs.length, globex: 0 };

    // The instrument sees a service-role channel that stays: one joined by hand shows up, then goes.
    const lingering = bridge.auth.client(bridge.auth.stack.config.serviceRoleKey);
    const channel = lingering.channel(orgTopic(ACME), { config: { private: true } });
    await new Promise<void>((resolve, reject) =>
      channel.subscribe((status, error) => (status === 'SUBSCRIBED' ? resolve() : reject(error ?? new Error(status)))),
    );
    expect(held()).toEqual({ ...tabsOnly, connections: tabsOnly.connections + 1, acme: tabsOnly.acme + 1 });
    await lingering.removeChannel(channel);
    lingering.realtime.disconnect();

    for (let i = 0; i < 3; i++) {
      const one = await bridge.request('GET', `/stats?organizationId=${ACME}`, { caller: 'acmeOwner' });
      expect(one.body).toMatchObject({ organizationId: ACME, connections: 3 }); // it did join and read presence
      const all = await bridge.request('GET', '/stats');
      expect(all.status).toBe(200);
    }
    // The leave and the close reach the tenant just after the answer: await them, bounded.
    await vi.waitFor(() => expect(held()).toEqual(tabsOnly), { timeout: 5_000, interval: 20 });
  });

  test.each([
    ['acmeWest', ACME, 403, 'not_an_admin'],
    ['acmeAgent', ACME, 403, 'not_an_admin'],
    ['globexMember', ACME, 403, 'not_a_member'],
    ['anon', ACME, 403, 'anonymous_caller'],
    ['acmeOwner', undefined, 422, 'invalid_request'],
  ] as const)('%s asking for stats of %s: %i %s', async (caller, org, status, code) => {
    const answer = await bridge.request('GET', org ? `/stats?organizationId=${org}` : '/stats', { caller });
    expect(answer.status).toBe(status);
    expect(answer.body.error?.code).toBe(code);
  });

  test(`429 with Retry-After above ${RATE_LIMIT} requests/s for one organisation, the other unaffected`, async () => {
    const body = {
      organizationId: GLOBEX,
      message: { type: 'notification', data: { message: 'burst', level: 'info' } },
    };
    const answers = await Promise.all(Array.from({ length: 10 }, () => bridge.request('POST', '/broadcast', { body })));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(answers.every((a) => a.status === 202 || a.status === 429)).toBe(true);
    expect(limited[0]!.headers.get('retry-after')).toBe('1');
    expect(limited[0]!.body.error).toEqual({
      code: 'rate_limited',
      message: `More than ${RATE_LIMIT} requests per second for organisation ${GLOBEX}`,
      details: { retryAfterMs: expect.any(Number) },
    });
    // Only what was accepted was written.
    expect(await bridge.count('public.notifications', "message = 'burst'")).toBe(
      answers.filter((a) => a.status === 202).length,
    );
    const acme = await bridge.request('POST', '/broadcast', {
      body: {
        organizationId: ACME,
        message: { type: 'notification', data: { message: 'acme is not limited by globex', level: 'info' } },
      },
    });
    expect(acme.status).toBe(202);
  });

  test('GET /health: 200 with the latency of each component', async () => {
    const answer = await bridge.request('GET', '/health');
    expect(answer.status).toBe(200);
    const check = { ok: true, latencyMs: expect.any(Number) };
    expect(answer.body).toEqual({
      status: 'ok',
      down: [],
      checks: { database: check, rest: check, realtime: check },
      quota: { limited: false, eventsPerSecond: expect.any(Number), limit: 100 },
    });
  });

  // Last: it takes the database away from the stack.
  test('GET /health: 503 naming the database when it is unreachable', async () => {
    await makeDatabaseUnreachable(bridge);
    const answer = await bridge.request('GET', '/health');
    expect(answer.status).toBe(503);
    expect(answer.body.down).toContain('database');
    expect(answer.body.error).toEqual({ code: 'unavailable', message: expect.stringMatching(/^Down: .*database/) });
    expect(answer.body.checks).toMatchObject({ database: { ok: false }, realtime: { ok: true } });
  });
});

/**
 * PostgreSQL: refuse new connections to the test database and end the open ones, as when the
 * server goes away. PGlite lives inside the stack, so closing it is what "unreachable" means there.
 */
async function makeDatabaseUnreachable(bridge: BridgeStack): Promise<void> {
  const { database } = bridge.auth;
  if (database.backend === 'pglite') {
    await database.db.close();
    // The suite's dispose would close it again.
    database.dispose = async () => {};
    return;
  }
  const name = new URL(database.url!).pathname.slice(1);
  // The superuser: the stack's own connections are superuser ones, which only it may end.
  const admin = new pg.Client({ connectionString: await testAdminUrl() });
  await admin.connect();
  try {
    await admin.query(`alter database ${name} allow_connections false`);
    await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [name],
    );
  } finally {
    await admin.end();
  }
}

describe.each(BACKENDS)('GET /health over the Realtime quota on %s', (backend) => {
  let bridge: BridgeStack;
  beforeAll(async () => {
    // A quota of 2 messages/s: 300 broadcasts keep the 60 s average over it whatever the stack's age.
    bridge = await startBridgeStack(backend, {}, { realtime: { maxEventsPerSecond: 2 } });
  });
  afterAll(() => bridge?.stop());

  test('200 "degraded", with Realtime’s own rate report, while the project is over its quota', async () => {
    const service = bridge.auth.client(bridge.auth.stack.config.serviceRoleKey);
    await service.realtime.setAuth();
    const channel = service.channel(orgTopic(ACME), { config: { private: true } });
    await new Promise<void>((resolve, reject) =>
      channel.subscribe((status, error) => (status === 'SUBSCRIBED' ? resolve() : reject(error ?? new Error(status)))),
    );
    for (let i = 0; i < 300; i++) void channel.send({ type: 'broadcast', event: 'load', payload: { i } });
    // The counter averages completed 5 s buckets: the report turns once the burst's bucket is over.
    await vi.waitFor(
      async () => {
        const answer = await bridge.request('GET', '/health');
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({
          status: 'degraded',
          down: [],
          checks: { realtime: { ok: true } },
          quota: { limited: true, limit: 2 },
        });
        expect((answer.body.quota as { eventsPerSecond: number }).eventsPerSecond).toBeGreaterThanOrEqual(2);
      },
      { timeout: 15_000, interval: 1000 },
    );
    await service.removeAllChannels();
  });
});
