/**
 * The attacker's side, part 1: forged and escalating tokens against every API of the local stack
 * (Realtime connect, join and `access_token`, Realtime REST, /rest/v1, /auth/v1/user, Functions
 * with verify_jwt). Each refusal is asserted as the client sees it, and nothing is read or written.
 * Parts 2 and 3: attacker-cross-org.local.test.ts, attacker-input.local.test.ts.
 */
import { createClient, FunctionsHttpError, type SupabaseClient } from '@supabase/supabase-js';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { signJwt } from '../../local-stack/index.ts';
import {
  FORGERIES,
  forgeToken,
  NON_API_ROLES,
  signedWithRole,
  userClaims,
  type ForgeryKind,
} from '../_support/attacker.ts';
import { startAuthStack, type AuthStack } from '../_support/auth-stack.ts';
import { firstStatus, joined, refusedUpgrade, systemMessages, type Status } from '../_support/realtime.ts';

const FUNCTIONS_DIR = fileURLToPath(new URL('./fixtures/functions', import.meta.url));
const ACME_ORG_TOPIC = `org:${ORGS.acme.id}`;

/** What each API answers for each forgery: Realtime's, PostgREST's and GoTrue's own wording. */
const EXPECTED: Record<
  ForgeryKind,
  { connect: string; join: RegExp; closed: RegExp; rest: { code: string; message: string }; auth: string }
> = {
  otherSecret: {
    connect: 'Failed to validate JWT signature',
    join: /^JwtSignatureError: Failed to validate JWT signature$/,
    closed: /^Failed to validate JWT signature$/,
    rest: { code: 'PGRST301', message: 'No suitable key or wrong key type' },
    auth: 'token signature is invalid: signature is invalid',
  },
  algNone: {
    connect: 'The token provided is not a valid JWT',
    join: /^MalformedJWT: The token provided is not a valid JWT$/,
    closed: /^The token provided is not a valid JWT$/,
    rest: { code: 'PGRST301', message: 'JWT cryptographic operation failed' },
    auth: 'token is malformed: could not base64 decode header',
  },
  editedPayload: {
    connect: 'Failed to validate JWT signature',
    join: /^JwtSignatureError: Failed to validate JWT signature$/,
    closed: /^Failed to validate JWT signature$/,
    rest: { code: 'PGRST301', message: 'No suitable key or wrong key type' },
    auth: 'token signature is invalid: signature is invalid',
  },
  expired: {
    connect: 'Token has expired',
    join: /^InvalidJWTToken: Token has expired \d+ seconds ago$/,
    closed: /^Token has expired \d+ seconds ago$/,
    rest: { code: 'PGRST303', message: 'JWT expired' },
    auth: 'token has invalid claims: token is expired',
  },
  missingExp: {
    connect: 'Fields `role` and `exp` are required in JWT',
    join: /^InvalidJWTToken: Fields `role` and `exp` are required in JWT$/,
    closed: /^Fields `role` and `exp` are required in JWT$/,
    rest: { code: 'PGRST301', message: 'Fields `role` and `exp` are required in JWT' },
    auth: 'token has invalid claims: token is missing required claim',
  },
  missingRole: {
    connect: 'Fields `role` and `exp` are required in JWT',
    join: /^InvalidJWTToken: Fields `role` and `exp` are required in JWT$/,
    closed: /^Fields `role` and `exp` are required in JWT$/,
    rest: { code: 'PGRST301', message: 'Fields `role` and `exp` are required in JWT' },
    auth: 'token has invalid claims: token is missing required claim',
  },
};

describe.each(BACKENDS)('attacker: forged and escalating tokens on every API (%s)', (backend) => {
  let auth: AuthStack;
  let secret: string;
  const clients: SupabaseClient[] = [];

  /**
   * supabase-js as an app would make it, with `token` as the user's access token, fetched before
   * the first join (`await supabase.realtime.setAuth()`, as Supabase advises for private channels).
   */
  async function clientWith(token: string): Promise<SupabaseClient> {
    const client = createClient(auth.stack.url, auth.stack.config.anonKey, {
      accessToken: async () => token,
      auth: { persistSession: false, autoRefreshToken: false },
    });
    clients.push(client);
    await client.realtime.setAuth();
    return client;
  }

  async function notificationCount(): Promise<number> {
    const { rows } = await auth.database.db.query<{ n: number }>('select count(*)::int as n from public.notifications');
    return rows[0]!.n;
  }

  beforeAll(async () => {
    // One case subscribes postgres_changes on a public channel: opt out of the private-only default.
    auth = await startAuthStack(backend, {
      functionsDir: FUNCTIONS_DIR,
      realtime: { joinErrorDelayMs: 0, connectErrorDelayMs: 0, privateOnly: false },
    });
    secret = auth.stack.config.jwtSecret;
  });
  afterAll(async () => {
    for (const client of clients.splice(0)) {
      await client.removeAllChannels();
      client.realtime.disconnect();
    }
    await auth?.stop();
  });

  describe.each(FORGERIES)('a %s token', (kind) => {
    it('is refused at the Realtime WebSocket upgrade with 401 and the reason', async () => {
      const token = await forgeToken(kind, secret);
      // As the `apikey`, the gateway refuses it as not one of the project's keys.
      expect(await refusedUpgrade(auth.stack, { apikey: token, vsn: '2.0.0' })).toMatchObject({
        status: 401,
        body: { message: 'Invalid API key' },
      });
      // Past the gateway, Realtime refuses it with the reason: `x-api-key` wins over the query (§1.1).
      expect(
        await refusedUpgrade(auth.stack, { apikey: auth.stack.config.anonKey, vsn: '2.0.0' }, { 'x-api-key': token }),
      ).toEqual({
        status: 401,
        body: { error: EXPECTED[kind].connect },
      });
    });

    it('as a join access_token, the private channel is refused with the exact reason', async () => {
      const channel = (await clientWith(await forgeToken(kind, secret))).channel(ACME_ORG_TOPIC, {
        config: { private: true },
      });
      const status: Status = await firstStatus(channel);
      expect(status.status).toBe('CHANNEL_ERROR');
      expect(status.error).toMatch(EXPECTED[kind].join);
    });

    it('as an access_token refresh on an open channel, the channel is shut down with the reason', async () => {
      const client = await clientWith(await auth.token('acmeOwner', 3600));
      const channel = client.channel(ACME_ORG_TOPIC, { config: { private: true } });
      const system = systemMessages(channel);
      const statuses = await joined(channel);
      await client.realtime.setAuth(await forgeToken(kind, secret));
      const shutdown = await system.next((m) => m.extension === 'system', 'the shutdown system message');
      expect(shutdown).toMatchObject({ status: 'error', channel: ACME_ORG_TOPIC });
      expect(shutdown.message).toMatch(EXPECTED[kind].closed);
      await statuses.next((s) => s.status === 'CLOSED', 'CLOSED');
      await client.removeAllChannels();
    });

    it('is refused by /rest/v1 with 401 in PostgREST shape; nothing is read or written', async () => {
      const attacker = await clientWith(await forgeToken(kind, secret));
      const read = await attacker.from('publishers').select('id');
      expect(read.status).toBe(401);
      expect(read.error).toMatchObject(EXPECTED[kind].rest);
      expect(read.data).toBeNull();

      const before = await notificationCount();
      const write = await attacker.from('notifications').insert({
        organization_id: ORGS.acme.id,
        user_id: USERS.acmeOwner.id,
        level: 'error',
        message: 'forged',
        source: 'system',
      });
      expect(write.status).toBe(401);
      expect(write.error).toMatchObject(EXPECTED[kind].rest);
      expect(await notificationCount()).toBe(before);
    });

    it('is refused by /auth/v1/user with 403 bad_jwt', async () => {
      const { data, error } = await auth.client().auth.getUser(await forgeToken(kind, secret));
      expect(data.user).toBeNull();
      expect(error).toMatchObject({
        status: 403,
        code: 'bad_jwt',
        message: `invalid JWT: unable to parse or verify signature, ${EXPECTED[kind].auth}`,
      });
    });

    it('is refused by a verify_jwt function with 401 Invalid JWT before the function runs', async () => {
      const result = await auth.client().functions.invoke('echo', {
        body: { message: 'hi' },
        headers: { Authorization: `Bearer ${await forgeToken(kind, secret)}` },
      });
      expect(result.error).toBeInstanceOf(FunctionsHttpError);
      const response = (result.error as FunctionsHttpError).context as Response;
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ code: 401, message: 'Invalid JWT' });
      expect(auth.logs.filter((line) => line.includes('functions: echo listening'))).toEqual([]);
    });

    it('is refused by Realtime REST broadcast (httpSend) with 401', async () => {
      const response = await auth.fetch(
        `/realtime/v1/api/broadcast/${encodeURIComponent(ACME_ORG_TOPIC)}/events/agent_status?private=true`,
        {
          method: 'POST',
          headers: {
            apikey: auth.stack.config.anonKey,
            authorization: `Bearer ${await forgeToken(kind, secret)}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ forged: true }),
        },
      );
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
    });
  });

  it("an opaque key that is not the project's is refused by every gateway-checked API", async () => {
    const bogus = 'sb_secret_not-the-project-key';
    const invalid = {
      message: 'Invalid API key',
      hint: 'Double check your Supabase `anon` or `service_role` API key.',
    };
    expect(await refusedUpgrade(auth.stack, { apikey: bogus, vsn: '2.0.0' })).toEqual({ status: 401, body: invalid });
    for (const path of ['/auth/v1/user', '/rest/v1/publishers?select=id', '/realtime/v1/api/ping']) {
      const answer = await auth.fetch(path, { headers: { apikey: bogus } });
      expect(answer.status).toBe(401);
      expect(await answer.json()).toEqual(invalid);
    }
  });

  describe.each(NON_API_ROLES)('a validly signed token with role %s', (role) => {
    it('/rest/v1 refuses to switch to it: 403 42501, never a 500 or superuser SQL', async () => {
      const attacker = await clientWith(await signedWithRole(secret, role));
      const read = await attacker.from('publishers').select('id');
      expect(read.status).toBe(403);
      expect(read.error).toMatchObject({ code: '42501', message: `permission denied to set role "${role}"` });
      const write = await attacker
        .from('publishers')
        .update({ name: 'pwned' })
        .eq('id', PUBLISHERS.sunriseBooks.id)
        .select();
      expect(write.status).toBe(403);
      expect(write.error).toMatchObject({ code: '42501' });
      const { rows } = await auth.database.db.query<{ name: string }>(
        'select name from public.publishers where id = $1',
        [PUBLISHERS.sunriseBooks.id],
      );
      expect(rows[0]?.name).toBe(PUBLISHERS.sunriseBooks.name);
      const rpc = await attacker.rpc('publisher_count', { org: ORGS.acme.id });
      expect(rpc.status).toBe(403);
    });

    it('Realtime refuses private joins (Unauthorized) and private httpSend (403); the server stays up', async () => {
      const token = await signedWithRole(secret, role);
      const status = await firstStatus(
        (await clientWith(token)).channel(ACME_ORG_TOPIC, { config: { private: true } }),
      );
      expect(status).toEqual({
        status: 'CHANNEL_ERROR',
        error: `Unauthorized: You do not have permissions to read from this Channel topic: ${ACME_ORG_TOPIC}`,
      });
      const response = await auth.fetch(
        `/realtime/v1/api/broadcast/${encodeURIComponent(ACME_ORG_TOPIC)}/events/agent_status?private=true`,
        {
          method: 'POST',
          headers: {
            apikey: auth.stack.config.anonKey,
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ forged: true }),
        },
      );
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
      // A legitimate member still gets in afterwards.
      await joined(
        (await clientWith(await auth.token('acmeOwner', 3600))).channel(`${ACME_ORG_TOPIC}:activity`, {
          config: { private: true },
        }),
      );
    });

    it("/auth/v1/user answers as GoTrue does: the sub's own record, its stored role, nothing more", async () => {
      // GoTrue reads the user named by `sub` with its own database role; the claimed role is not
      // used for anything, so the answer is the user's own record with the role stored for them.
      const { data, error } = await auth.client().auth.getUser(await signedWithRole(secret, role));
      expect(error).toBeNull();
      expect(data.user).toMatchObject({ id: USERS.globexMember.id, role: 'authenticated' });
    });
  });

  it.each([
    ['an object', { a: 1 }],
    ['a number', 123],
    ['an SQL string', `' or 1=1; --`],
  ])('a validly signed token whose sub is %s gets 4xx everywhere, never a 500', async (_label, sub) => {
    const token = await signJwt(userClaims('globexMember', { sub }), secret);
    const rest = await (await clientWith(token)).from('publishers').select('id');
    // auth.uid() casts the sub to uuid inside the policies: PostgREST answers that 22P02 with 400.
    expect(rest.status).toBe(400);
    expect(rest.error).toMatchObject({ code: '22P02' });
    const user = await auth.client().auth.getUser(token);
    expect(user.error).toMatchObject({ status: expect.any(Number) });
    expect(user.error!.status).toBeGreaterThanOrEqual(400);
    expect(user.error!.status).toBeLessThan(500);
    const join = await firstStatus((await clientWith(token)).channel(ACME_ORG_TOPIC, { config: { private: true } }));
    expect(join).toEqual({
      status: 'CHANNEL_ERROR',
      error: `Unauthorized: You do not have permissions to read from this Channel topic: ${ACME_ORG_TOPIC}`,
    });
  });

  it('postgres_changes with a superuser-role token delivers nothing and reports an error', async () => {
    const client = await clientWith(await signedWithRole(secret, 'postgres'));
    const changes: unknown[] = [];
    const channel = client
      .channel('attacker-pg-changes')
      // agent_runs: in the supabase_realtime publication (with publishers; inserts and updates only).
      .on('postgres_changes', { event: '*', schema: 'public', table: 'agent_runs' }, (change) => changes.push(change));
    const system = systemMessages(channel);
    await joined(channel);
    const status = await system.next((m) => m.extension === 'postgres_changes', 'the postgres_changes status');
    expect(status.status).toBe('error');
    expect(status.message).toContain('role "postgres"');
    expect(changes).toEqual([]);
  });
});
