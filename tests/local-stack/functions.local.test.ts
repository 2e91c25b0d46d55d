/**
 * /functions/v1 through supabase-js `functions.invoke`: fixture functions (tests/local-stack/fixtures)
 * run in real Deno with the edge runtime's env, `verify_jwt` from config.toml is enforced before
 * a function runs, requests and responses (streams included) pass through unchanged, a crashing
 * function answers 5xx and comes back, and stopping the stack leaves no Deno process behind.
 */
import { FunctionsHttpError, type SupabaseClient } from '@supabase/supabase-js';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../_db.ts';
import { processAlive, startAuthStack, waitFor, type AuthStack } from '../_support/auth-stack.ts';

const FUNCTIONS_DIR = fileURLToPath(new URL('./fixtures/functions', import.meta.url));

interface Echo {
  method: string;
  path: string;
  search: string;
  body: Record<string, unknown>;
  authorization: string | null;
  custom: string | null;
  env: Record<string, string | null>;
  authSettings: { status: number; body: { external: { email: boolean } } } | null;
  pid: number;
}

/** The status and JSON body of a non-2xx invoke (supabase-js puts the Response in `error.context`). */
async function httpError(result: Promise<{ error: unknown }>): Promise<{ status: number; body: unknown }> {
  const { error } = await result;
  expect(error).toBeInstanceOf(FunctionsHttpError);
  const response = (error as FunctionsHttpError).context as Response;
  return { status: response.status, body: await response.json() };
}

describe.each(BACKENDS)('/functions/v1 on %s', (backend) => {
  let auth: AuthStack;
  let anon: SupabaseClient;
  /** A client with the new-style key: supabase-js then sends no Authorization header at all. */
  let keyOnly: SupabaseClient;
  let databaseUrl: string | undefined;

  beforeAll(async () => {
    // On PostgreSQL the stack knows its database URL, so functions get SUPABASE_DB_URL.
    auth = await startAuthStack(backend, { functionsDir: FUNCTIONS_DIR }, { shareDatabaseUrl: true });
    databaseUrl = auth.database.url;
    anon = auth.client();
    keyOnly = auth.client(auth.stack.config.publishableKey);
  });
  afterAll(async () => {
    await auth?.stop();
  });

  test('invoke round trip: body, headers and the edge runtime env reach the function; its response comes back', async () => {
    const { data, error, response } = await anon.functions.invoke<Echo>('echo', {
      body: { message: 'hello' },
      headers: { 'x-pubdev-test': 'custom header' },
    });
    expect(error).toBeNull();
    expect(data).toMatchObject({
      method: 'POST',
      path: '/echo',
      search: '',
      body: { message: 'hello' },
      authorization: `Bearer ${auth.stack.config.anonKey}`,
      custom: 'custom header',
      env: {
        SUPABASE_URL: auth.stack.url,
        SUPABASE_ANON_KEY: auth.stack.config.anonKey,
        SUPABASE_SERVICE_ROLE_KEY: auth.stack.config.serviceRoleKey,
        SUPABASE_DB_URL: databaseUrl ?? null,
        // The stack's own environment does not leak into functions…
        DATABASE_URL: null,
        // …but supabase/functions/.env does, without overriding SUPABASE_* names.
        FIXTURE_GREETING: 'hello from .env',
      },
    });
    expect(response?.headers.get('x-echo')).toBe('yes');
    expect(response?.headers.get('set-cookie')).toBe('a=1');
  });

  test('the signed-in user’s access token is what the function sees', async () => {
    const client = await auth.signedIn('acmeAgent');
    const token = (await client.auth.getSession()).data.session!.access_token;
    const { data, error } = await client.functions.invoke<Echo>('echo', { body: {} });
    expect(error).toBeNull();
    expect(data?.authorization).toBe(`Bearer ${token}`);
  });

  test('method, sub-path and query string pass through; the function can call the stack back at SUPABASE_URL', async () => {
    const { data, error } = await anon.functions.invoke<Echo>('echo/items/42?callback=auth-settings', {
      method: 'GET',
    });
    expect(error).toBeNull();
    expect(data).toMatchObject({ method: 'GET', path: '/echo/items/42', search: '?callback=auth-settings' });
    expect(data?.authSettings).toMatchObject({ status: 200, body: { external: { email: true } } });
  });

  test('a function’s own error status and body come back untouched', async () => {
    const result = anon.functions.invoke('echo', { body: { message: 42 } });
    expect(await httpError(result)).toEqual({ status: 422, body: { error: expect.any(String) } });
  });

  describe('verify_jwt', () => {
    test('without an Authorization header: 401 and the function never starts', async () => {
      const result = keyOnly.functions.invoke('guarded-probe-never-called', { body: {} });
      expect(await httpError(result)).toEqual({
        status: 404,
        body: { code: 'NOT_FOUND', message: 'Requested function was not found' },
      });

      const startsBefore = auth.logs.filter((line) => line.startsWith('functions: echo listening')).length;
      expect(await httpError(keyOnly.functions.invoke('echo', { body: {} }))).toEqual({
        status: 401,
        body: { code: 401, message: 'Missing authorization header' },
      });
      const garbage = anon.functions.invoke('echo', { body: {}, headers: { Authorization: 'Bearer not-a-jwt' } });
      expect(await httpError(garbage)).toEqual({ status: 401, body: { code: 401, message: 'Invalid JWT' } });
      const expired = anon.functions.invoke('echo', {
        body: {},
        headers: { Authorization: `Bearer ${await auth.token('acmeAgent', -30)}` },
      });
      expect(await httpError(expired)).toEqual({ status: 401, body: { code: 401, message: 'Invalid JWT' } });
      expect(auth.logs.filter((line) => line.startsWith('functions: echo listening')).length).toBe(startsBefore);
    });

    test('an sb_ key as the bearer token stands for its JWT, as the gateway maps it for every other API', async () => {
      for (const key of [auth.stack.config.publishableKey, auth.stack.config.secretKey]) {
        const { data, error } = await anon.functions.invoke<Echo>('echo', {
          body: { message: 'key' },
          headers: { Authorization: `Bearer ${key}` },
        });
        expect(error).toBeNull();
        expect(data).toMatchObject({ method: 'POST' });
      }
      const unknown = anon.functions.invoke('echo', {
        body: {},
        headers: { Authorization: 'Bearer sb_secret_not-the-project-key' },
      });
      expect(await httpError(unknown)).toEqual({ status: 401, body: { code: 401, message: 'Invalid JWT' } });
    });

    test('verify_jwt = false: reachable with no Authorization header at all', async () => {
      const { data, error, response } = await keyOnly.functions.invoke<{ ok: boolean; authorization: string | null }>(
        'public-echo',
        { body: {} },
      );
      expect(error).toBeNull();
      expect(response?.status).toBe(201);
      expect(data).toEqual({ ok: true, authorization: null });
    });

    test('enabled = false in config.toml takes a function off the air', async () => {
      expect(await httpError(keyOnly.functions.invoke('disabled', { body: {} }))).toEqual({
        status: 404,
        body: { code: 'NOT_FOUND', message: 'Requested function was not found' },
      });
    });

    test('names that are not function slugs are not found (no path traversal)', async () => {
      const response = await auth.fetch('/functions/v1/..%2F..%2Fsrc', {
        headers: { authorization: `Bearer ${auth.stack.config.anonKey}` },
      });
      expect(response.status).toBe(404);
    });
  });

  describe('failures', () => {
    test('a function that dies mid-request answers 500 WORKER_ERROR, and the next request gets a fresh worker', async () => {
      const first = await keyOnly.functions.invoke<{ pid: number }>('crash', { method: 'GET' });
      expect(first.error).toBeNull();
      const oldPid = first.data!.pid;

      expect(await httpError(keyOnly.functions.invoke('crash/exit', { method: 'GET' }))).toEqual({
        status: 500,
        body: { code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' },
      });

      const again = await keyOnly.functions.invoke<{ pid: number }>('crash', { method: 'GET' });
      expect(again.error).toBeNull();
      expect(again.data!.pid).not.toBe(oldPid);
      await waitFor(() => !processAlive(oldPid), `crashed worker ${oldPid} to be reaped`);
    });

    test('an exception in the handler answers 500 WORKER_ERROR and the worker keeps serving', async () => {
      const before = (await keyOnly.functions.invoke<{ pid: number }>('crash', { method: 'GET' })).data!.pid;
      expect(await httpError(keyOnly.functions.invoke('crash/throw', { method: 'GET' }))).toEqual({
        status: 500,
        body: { code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' },
      });
      expect((await keyOnly.functions.invoke<{ pid: number }>('crash', { method: 'GET' })).data!.pid).toBe(before);
    });

    test('a function that throws while loading answers 503 BOOT_ERROR, every time, and is logged', async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        expect(await httpError(keyOnly.functions.invoke('broken', { body: {} }))).toEqual({
          status: 503,
          body: { code: 'BOOT_ERROR', message: 'Function failed to start (please check logs)' },
        });
      }
      expect(auth.logs.some((line) => line.includes('fixture boot failure'))).toBe(true);
    });

    test('a function that never calls Deno.serve answers 503 BOOT_ERROR instead of hanging', async () => {
      expect(await httpError(keyOnly.functions.invoke('no-serve', { body: {} }))).toEqual({
        status: 503,
        body: { code: 'BOOT_ERROR', message: 'Function failed to start (please check logs)' },
      });
      expect(auth.logs).toContain('[no-serve] The function module finished loading without calling Deno.serve()');
    });
  });

  test('a streaming response is passed through as it is written', async () => {
    const { data, error } = await keyOnly.functions.invoke<Response>('stream', { method: 'GET' });
    expect(error).toBeNull();
    expect(data?.headers.get('content-type')).toBe('text/event-stream');
    const reader = data!.body!.getReader();
    const decoder = new TextDecoder();

    // The function holds its second event until released: this read can only finish if the
    // first event was forwarded on its own, not buffered until the end of the response.
    const first = await reader.read();
    expect(decoder.decode(first.value)).toBe('event: first\ndata: {"n":1}\n\n');

    const release = await keyOnly.functions.invoke<{ released: boolean }>('stream/release', { method: 'GET' });
    expect(release.data).toEqual({ released: true });
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += decoder.decode(chunk.value);
    expect(rest).toBe('event: second\ndata: {"n":2}\n\n');
  });
});

describe('/functions/v1 shutdown', () => {
  test('stopping the stack stops every Deno worker (no orphans)', async () => {
    const backend = BACKENDS[0]!;
    const auth = await startAuthStack(backend, { functionsDir: FUNCTIONS_DIR });
    let stopped = false;
    try {
      const client = auth.client(auth.stack.config.publishableKey);
      const pids = await Promise.all(
        ['crash', 'crash', 'public-echo'].map(async (name) => {
          const { data, error } = await client.functions.invoke<{ pid?: number }>(name, { method: 'GET' });
          expect(error).toBeNull();
          return data?.pid;
        }),
      );
      const crashPid = pids[0]!;
      expect(pids[1]).toBe(crashPid); // one long-lived worker per function, shared by concurrent requests
      expect(processAlive(crashPid)).toBe(true);
      await auth.stop();
      stopped = true;
      expect(processAlive(crashPid)).toBe(false);
    } finally {
      if (!stopped) await auth.stop();
    }
  });
});
