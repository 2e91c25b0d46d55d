import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activityTopic, orgTopic, territoryTopic, userTopic } from '../../src/contract/index.ts';
import { ORGS, TERRITORIES, USERS } from '../../supabase/fixture.ts';
import { signJwt } from '../../local-stack/index.ts';
import { BACKENDS } from '../_db.ts';
import {
  broadcasts,
  firstStatus,
  joined,
  refusedUpgrade,
  signFixtureToken,
  startRealtimeStack,
  systemMessages,
  ManualClock,
  VSNS,
  type RealtimeStack,
} from '../_support/realtime.ts';

const unauthorized = (topic: string) =>
  `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`;

describe.each(BACKENDS)('Realtime authorization on %s', (backend) => {
  let rt: RealtimeStack;
  // Follows real time (tokens are signed against it) and jumps past expiries instead of waiting for them.
  const clock = new ManualClock({ followWallClock: true });
  beforeAll(async () => {
    // Token handling is shown on public rooms too: opt out of the private-only default.
    rt = await startRealtimeStack(backend, { privateOnly: false }, undefined, clock);
  });
  afterEach(() => rt.closeClients());
  afterAll(() => rt?.stop());

  describe.each(VSNS)('vsn %s', (vsn) => {
    it('refuses a private join for a member of another organisation with the exact reason (§2.4)', async () => {
      const topic = orgTopic(ORGS.acme.id);
      const channel = (await rt.userClient('globexMember', { vsn })).channel(topic, { config: { private: true } });
      expect(await firstStatus(channel)).toEqual({ status: 'CHANNEL_ERROR', error: unauthorized(topic) });
    });

    it('refuses a private join for anon with the exact reason', async () => {
      const topic = activityTopic(ORGS.acme.id);
      const channel = rt.client({ vsn }).channel(topic, { config: { private: true } });
      expect(await firstStatus(channel)).toEqual({ status: 'CHANNEL_ERROR', error: unauthorized(topic) });
    });

    it('admits a member to a read-only territory topic but drops its broadcasts: ack ends in "timed out"', async () => {
      const topic = territoryTopic(ORGS.acme.id, TERRITORIES.usWest);
      const west = (await rt.userClient('acmeWest', { vsn, timeout: 300 })).channel(topic, {
        config: { private: true, broadcast: { ack: true, self: true } },
      });
      const inbox = broadcasts(west);
      await joined(west);
      expect(await west.send({ type: 'broadcast', event: 'team_update', payload: { forged: true } })).toBe('timed out');
      // The REST endpoint answers the same refusal with 403 (§3.6.2).
      await expect(west.httpSend('team_update', { forged: true })).rejects.toThrow('Unauthorized');
      expect(inbox.items).toEqual([]);
    });
  });

  it('keeps a territory restricted member out of other territories and a user out of another user’s topic', async () => {
    const east = territoryTopic(ORGS.acme.id, TERRITORIES.usEast);
    const west = await rt.userClient('acmeWest');
    expect(await firstStatus(west.channel(east, { config: { private: true } }))).toEqual({
      status: 'CHANNEL_ERROR',
      error: unauthorized(east),
    });
    const other = userTopic(USERS.acmeOwner.id);
    expect(await firstStatus(west.channel(other, { config: { private: true } }))).toEqual({
      status: 'CHANNEL_ERROR',
      error: unauthorized(other),
    });
    const own = await firstStatus(west.channel(userTopic(USERS.acmeWest.id), { config: { private: true } }));
    expect(own).toEqual({ status: 'SUBSCRIBED' });
  });

  it('refuses a join whose access_token is expired, malformed or badly signed, with the §2.4 reasons', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await signJwt(
      { role: 'authenticated', sub: USERS.acmeOwner.id, exp: now - 30 },
      rt.stack.config.jwtSecret,
    );
    const noRole = await signJwt({ sub: USERS.acmeOwner.id, exp: now + 60 }, rt.stack.config.jwtSecret);
    const wrongSecret = await signJwt(
      { role: 'authenticated', exp: now + 60 },
      'another-secret-that-is-at-least-32-characters',
    );
    const cases: Array<[string, RegExp | string]> = [
      [expired, /^InvalidJWTToken: Token has expired \d+ seconds ago$/],
      [noRole, 'InvalidJWTToken: Fields `role` and `exp` are required in JWT'],
      ['not-a-jwt', 'MalformedJWT: The token provided is not a valid JWT'],
      [wrongSecret, 'JwtSignatureError: Failed to validate JWT signature'],
    ];
    for (const [index, [token, reason]] of cases.entries()) {
      const client = rt.client();
      await client.realtime.setAuth(token);
      const status = await firstStatus(client.channel(`room-bad-token-${index}`));
      expect(status.status).toBe('CHANNEL_ERROR');
      expect(status.error).toMatch(reason);
    }
  });

  it('an sb_publishable key works as apikey and as join token (falls back to the connect key)', async () => {
    const client = rt.client({ key: rt.stack.config.publishableKey });
    const channel = client.channel('room-publishable', { config: { broadcast: { self: true, ack: true } } });
    const inbox = broadcasts(channel);
    await joined(channel);
    expect(await channel.send({ type: 'broadcast', event: 'hi', payload: {} })).toBe('ok');
    await inbox.next();
  });

  it('keeps a private channel through a token refresh from the accessToken callback, past the old token’s expiry', async () => {
    const secret = rt.stack.config.jwtSecret;
    let token = await signFixtureToken(secret, 'acmeOwner', 2);
    const oldExp = Math.floor(Date.now() / 1000) + 2;
    const client = rt.client({ accessToken: async () => token });
    await client.realtime.setAuth();
    const topic = activityTopic(ORGS.acme.id);
    const channel = client.channel(topic, { config: { private: true, broadcast: { self: true, ack: true } } });
    const system = systemMessages(channel);
    const statuses = await joined(channel);

    token = await signFixtureToken(secret, 'acmeOwner', 3600);
    await client.realtime.setAuth();
    // The server handles a channel's pushes in order: once this ack is back, the new token is in place.
    const inbox = broadcasts(channel);
    expect(await channel.send({ type: 'broadcast', event: 'token-sent', payload: {} })).toBe('ok');
    // Past the old token's expiry on the stack's clock: the expiry check runs now, with the new token.
    clock.advance((oldExp + 1) * 1000 - clock.now());

    expect(await channel.send({ type: 'broadcast', event: 'still-here', payload: {} })).toBe('ok');
    await inbox.next((m) => m.event === 'still-here');
    expect(statuses.items).toEqual([{ status: 'SUBSCRIBED' }]);
    expect(system.items).toEqual([]);
  });

  it('setAuth with another user’s token re-evaluates read policies and closes the channel (§6.5)', async () => {
    const topic = activityTopic(ORGS.acme.id);
    const client = await rt.userClient('acmeOwner');
    const channel = client.channel(topic, { config: { private: true } });
    const system = systemMessages(channel);
    const statuses = await joined(channel);
    await client.realtime.setAuth(await signFixtureToken(rt.stack.config.jwtSecret, 'globexMember', 3600));
    expect(await system.next()).toEqual({
      extension: 'system',
      status: 'error',
      message: `You do not have permissions to read from this Channel topic: ${topic}`,
      channel: topic,
    });
    expect(await statuses.next((s) => s.status === 'CLOSED')).toEqual({ status: 'CLOSED' });
  });

  describe.each(VSNS)('vsn %s', (vsn) => {
    it('closes a channel when its token expires: system "Token has expired N seconds ago", then CLOSED (§6.4)', async () => {
      // Signed against the stack's clock, which earlier tests have moved ahead of the wall clock.
      const token = await signFixtureToken(rt.stack.config.jwtSecret, 'acmeOwner', 60, {
        now: Math.floor(clock.now() / 1000),
      });
      const client = rt.client({ vsn });
      await client.realtime.setAuth(token);
      const channel = client.channel(orgTopic(ORGS.acme.id), { config: { private: true } });
      const system = systemMessages(channel);
      const statuses = await joined(channel);
      // A minute later on the stack's clock the expiry check finds the token expired.
      clock.advance(61_000);
      const message = await system.next();
      expect(message).toMatchObject({ extension: 'system', status: 'error', channel: orgTopic(ORGS.acme.id) });
      expect(message.message).toMatch(/^Token has expired \d+ seconds ago$/);
      expect(await statuses.next((s) => s.status === 'CLOSED')).toEqual({ status: 'CLOSED' });
      // The socket stays open: a new channel on it still joins.
      expect(client.realtime.isConnected()).toBe(true);
    });
  });

  it('refuses bad upgrades with HTTP errors and Realtime’s messages (§1.2)', async () => {
    // Without one of the project's keys the gateway answers first (see gateway.local.test.ts).
    expect(await refusedUpgrade(rt.stack, { vsn: '2.0.0' })).toMatchObject({
      status: 401,
      body: { message: 'No API key found in request' },
    });
    expect(await refusedUpgrade(rt.stack, { apikey: 'nope', vsn: '2.0.0' })).toMatchObject({
      status: 401,
      body: { message: 'Invalid API key' },
    });
    // Realtime's own refusals, for the `x-api-key` header it reads before the query parameter.
    const key = { apikey: rt.stack.config.anonKey, vsn: '2.0.0' };
    expect(await refusedUpgrade(rt.stack, key, { 'x-api-key': 'nope' })).toEqual({
      status: 401,
      body: { error: 'The token provided is not a valid JWT' },
    });
    const expired = await signJwt({ role: 'anon', exp: Math.floor(Date.now() / 1000) - 5 }, rt.stack.config.jwtSecret);
    expect(await refusedUpgrade(rt.stack, key, { 'x-api-key': expired })).toEqual({
      status: 401,
      body: { error: 'Token has expired' },
    });
    // x-api-key wins over the query parameter.
    expect(await refusedUpgrade(rt.stack, { apikey: rt.stack.config.anonKey }, { 'x-api-key': 'bad' })).toEqual({
      status: 401,
      body: { error: 'The token provided is not a valid JWT' },
    });
  });
});
