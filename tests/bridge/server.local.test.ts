/**
 * src/server against the running stack: the seed's `getWebSocketServer().broadcastToOrganization`
 * example delivers unchanged, createRealtimeServer with the service role or a user's token makes
 * typed calls of the bridge, and refusals surface as BridgeRequestError with the bridge's code.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { orgTopic, territoryTopic, userTopic } from '../../src/contract/topics.ts';
import { USERS } from '../../supabase/fixture.ts';
import { BridgeRequestError, createRealtimeServer, getWebSocketServer } from '../../src/server/index.ts';
import type { Inbox } from '../_support/inbox.ts';
import { BACKENDS } from '../_db.ts';
import { ACME, GLOBEX, startBridgeStack, type BridgeStack, type Received } from './_bridge.ts';

describe.each(BACKENDS)('src/server against the bridge on %s', (backend) => {
  let bridge: BridgeStack;
  let owner: Inbox<Received>;

  beforeAll(async () => {
    bridge = await startBridgeStack(backend);
    owner = await bridge.observe('acmeOwner', [
      orgTopic(ACME),
      userTopic(USERS.acmeOwner.id),
      territoryTopic(ACME, 'US_West'),
    ]);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  const env = () => ({
    SUPABASE_URL: bridge.auth.stack.url,
    SUPABASE_SERVICE_ROLE_KEY: bridge.auth.stack.config.serviceRoleKey,
  });

  test("the seed's example: getWebSocketServer().broadcastToOrganization, details defaulting to {}", async () => {
    const organizationId = ACME;
    const delivered = await getWebSocketServer(env()).broadcastToOrganization(organizationId, {
      type: 'team_update',
      data: { message: 'New publisher assigned', updateType: 'assignment' },
      timestamp: new Date().toISOString(),
    });
    expect(delivered).toEqual({ id: expect.any(String), type: 'team_update', topic: orgTopic(ACME) });
    const heard = await owner.first((r) => r.payload.id === delivered.id);
    expect(heard.payload.data).toMatchObject({
      message: 'New publisher assigned',
      updateType: 'assignment',
      details: {},
    });
  });

  test("the seed's call without await: a refusal is logged, never an unhandled rejection; an awaited one only rejects", async () => {
    const nowhere = '33333333-3333-4333-8333-333333333333'; // no such organisation: the bridge refuses
    const message = {
      type: 'team_update',
      data: { message: 'New publisher assigned', updateType: 'assignment' },
      timestamp: new Date().toISOString(),
    } as const;
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const wsServer = getWebSocketServer(env());
      // The seed's code: no await, no catch.
      void wsServer.broadcastToOrganization(nowhere, message);
      await expect.poll(() => logged.mock.calls.length, { timeout: 10_000 }).toBe(1);
      expect(String(logged.mock.calls[0]![0])).toMatch(
        /^\[pubdev\] broadcastToOrganization failed, and nothing awaited it: 4\d\d [a-z_]+: .+/,
      );
      // Awaited, the same refusal rejects with the bridge's error and is not logged a second time.
      await expect(wsServer.broadcastToOrganization(nowhere, message)).rejects.toBeInstanceOf(BridgeRequestError);
      // A tick for any unhandled rejection to surface.
      await new Promise((resolve) => setImmediate(resolve));
      expect(logged).toHaveBeenCalledTimes(1);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      logged.mockRestore();
    }
  });

  test('getWebSocketServer refuses a bad environment naming the variable', () => {
    expect(() => getWebSocketServer({ SUPABASE_URL: bridge.auth.stack.url })).toThrow(/SUPABASE_SERVICE_ROLE_KEY/);
    expect(() => getWebSocketServer({ SUPABASE_URL: 'not a url', SUPABASE_SERVICE_ROLE_KEY: 'k' })).toThrow(
      /SUPABASE_URL/,
    );
    expect(getWebSocketServer(env())).toBe(getWebSocketServer(env()));
  });

  test('a member with their access token: sendToUser and sendToTerritory deliver; a type they may not send throws 403', async () => {
    const west = createRealtimeServer({
      supabaseUrl: bridge.auth.stack.url,
      accessToken: await bridge.token('acmeWest'),
    });
    const note = await west.sendToUser(ACME, USERS.acmeOwner.id, { message: 'Can you review Sunrise?', level: 'info' });
    expect(note.topic).toBe(userTopic(USERS.acmeOwner.id));
    await owner.first((r) => r.payload.id === note.id && r.payload.data.message === 'Can you review Sunrise?');
    const team = await west.sendToTerritory(ACME, 'US_West', {
      type: 'team_update',
      data: { message: 'West call at 3', updateType: 'territory_change' },
    });
    expect(team.topic).toBe(territoryTopic(ACME, 'US_West'));
    const heard = await owner.first((r) => r.payload.id === team.id);
    expect(heard.payload.data).toMatchObject({ territory: 'US_West', userId: USERS.acmeWest.id });
    const refused = west.broadcastToOrganization(ACME, {
      type: 'agent_status',
      data: { agentId: 'x', status: 'idle' },
    });
    await expect(refused).rejects.toBeInstanceOf(BridgeRequestError);
    await expect(refused).rejects.toMatchObject({ status: 403, code: 'type_not_allowed' });
  });

  test('idempotencyKey: the same answer twice', async () => {
    const server = createRealtimeServer({
      supabaseUrl: bridge.auth.stack.url,
      serviceRoleKey: bridge.auth.stack.config.serviceRoleKey,
    });
    const message = { type: 'notification', data: { message: 'once', level: 'success' } } as const;
    const first = await server.broadcastToOrganization(ACME, message, { idempotencyKey: 'server-once', source: 'crm' });
    expect(
      await server.broadcastToOrganization(ACME, message, { idempotencyKey: 'server-once', source: 'crm' }),
    ).toEqual(first);
    expect(await bridge.count('public.notifications', "message = 'once' and source = 'crm'")).toBe(1);
  });

  test('getConnectionStats and getHealth', async () => {
    const ownerServer = createRealtimeServer({
      supabaseUrl: bridge.auth.stack.url,
      accessToken: await bridge.token('acmeOwner'),
    });
    expect(await ownerServer.getConnectionStats(ACME)).toEqual({
      organizationId: ACME,
      users: 0,
      connections: 0,
      perUser: [],
    });
    await expect(ownerServer.getConnectionStats(GLOBEX)).rejects.toMatchObject({ status: 403, code: 'not_a_member' });
    const service = getWebSocketServer(env());
    expect((await service.getConnectionStats()).organizations.map((o) => o.organizationId)).toEqual([ACME, GLOBEX]);
    const health = await service.getHealth();
    expect(health).toMatchObject({ status: 'ok', down: [] });
  });
});
