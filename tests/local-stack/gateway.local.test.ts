/**
 * The gateway's API-key check and the request pipeline every service shares: a request without a
 * key, or with a user's token where the key goes, is refused with Supabase's gateway answer on
 * /rest/v1, /realtime/v1 (REST and the WebSocket upgrade) and /auth/v1 alike; every service reads
 * JSON with the same strict UTF-8 and nesting limits.
 */
import { get, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../_db.ts';
import { startAuthStack, type AuthStack } from '../_support/auth-stack.ts';
import { refusedUpgrade, rawSocket } from '../_support/realtime.ts';

const NO_API_KEY = {
  message: 'No API key found in request',
  hint: 'No `apikey` request header or url param was found.',
};
const INVALID_API_KEY = {
  message: 'Invalid API key',
  hint: 'Double check your Supabase `anon` or `service_role` API key.',
};

/** One request per service behind the key check, each one that would succeed with the anon key. */
const REQUESTS: ReadonlyArray<{ name: string; path: string; init?: RequestInit }> = [
  { name: '/rest/v1 read', path: '/rest/v1/publishers?select=id' },
  { name: '/realtime/v1 ping', path: '/realtime/v1/api/ping' },
  {
    name: '/realtime/v1 broadcast',
    path: '/realtime/v1/api/broadcast',
    init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [] }) },
  },
  { name: '/auth/v1 settings', path: '/auth/v1/settings' },
];

describe.each(BACKENDS)('gateway key check and shared request pipeline on %s', (backend) => {
  let auth: AuthStack;
  beforeAll(async () => {
    auth = await startAuthStack(backend);
  });
  afterAll(() => auth?.stop());

  const withKey = (init: RequestInit | undefined, key: string | undefined): RequestInit => {
    const headers = new Headers(init?.headers);
    if (key !== undefined) headers.set('apikey', key);
    return { ...init, headers };
  };

  describe.each(REQUESTS)('$name', ({ path, init }) => {
    test('answers with the anon key (the control)', async () => {
      const response = await auth.fetch(path, withKey(init, auth.stack.config.anonKey));
      expect(response.status).toBeLessThan(300);
    });

    test('without an API key: 401 "No API key found in request"', async () => {
      const response = await auth.fetch(path, withKey(init, undefined));
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual(NO_API_KEY);
    });

    test('a user access token as the API key: 401 "Invalid API key"', async () => {
      const response = await auth.fetch(path, withKey(init, await auth.token('acmeAgent', 3600)));
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual(INVALID_API_KEY);
    });

    test('the key as a url parameter passes, as supabase-js sends it for WebSockets', async () => {
      const separator = path.includes('?') ? '&' : '?';
      const response = await auth.fetch(
        `${path}${separator}apikey=${auth.stack.config.anonKey}`,
        withKey(init, undefined),
      );
      // /rest/v1 then reads `apikey` as a filter column (PostgREST has no such parameter): anything but the gateway's 401.
      expect(await response.clone().json()).not.toEqual(NO_API_KEY);
    });
  });

  test('keeps a connection alive 60 s, as Kong does (Node alone would close it after 5 s)', async () => {
    const headers = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      const request = get(`${auth.stack.url}/auth/v1/settings`, { headers: { apikey: auth.stack.config.anonKey } });
      request.on('response', (response) => {
        response.resume();
        resolve(response.headers);
      });
      request.on('error', reject);
    });
    expect(headers['keep-alive']).toBe('timeout=60');
  });

  test('the Realtime WebSocket upgrade without a key, or with a user token as the key, gets the gateway answer', async () => {
    expect(await refusedUpgrade(auth.stack, { vsn: '2.0.0' })).toEqual({ status: 401, body: NO_API_KEY });
    const userToken = await auth.token('acmeAgent', 3600);
    expect(await refusedUpgrade(auth.stack, { apikey: userToken, vsn: '2.0.0' })).toEqual({
      status: 401,
      body: INVALID_API_KEY,
    });
    // The control: the same upgrade with the anon key opens.
    const socket = await rawSocket(auth.stack, { apikey: auth.stack.config.anonKey });
    socket.close();
    await socket.closed;
  });

  describe('/auth/v1 reads JSON as strictly as /rest/v1', () => {
    const headers = { apikey: '', 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' };
    const post = (body: Blob | string) =>
      auth.fetch('/auth/v1/token?grant_type=password', {
        method: 'POST',
        body,
        headers: { ...headers, apikey: auth.stack.config.anonKey },
      });
    const restPost = (body: Blob | string) =>
      auth.fetch('/rest/v1/notifications', {
        method: 'POST',
        body,
        headers: { ...headers, apikey: auth.stack.config.anonKey },
      });

    test('a body that is not UTF-8 is refused (not read with U+FFFD in place of the bad bytes)', async () => {
      // {"email":"<0xff>","password":"x"}: one invalid byte inside a string.
      const bytes = new Blob([Buffer.from('{"email":"'), new Uint8Array([0xff]), Buffer.from('","password":"x"}')]);
      const response = await post(bytes);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        code: 'bad_json',
        message: 'Could not parse request body as JSON: Request body is not valid UTF-8',
      });
      expect((await restPost(bytes)).status).toBe(400);
    });

    test('JSON nested deeper than 512 levels is refused before it is parsed', async () => {
      const deep = `{"email":${'['.repeat(600)}${']'.repeat(600)},"password":"x"}`;
      const response = await post(deep);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        code: 'bad_json',
        message: 'Could not parse request body as JSON: JSON nesting exceeds 512 levels',
      });
      expect((await restPost(deep)).status).toBe(400);
    });
  });
});
