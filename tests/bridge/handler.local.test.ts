/**
 * The bridge's pure `handleRequest`, called in Node with its clock injected (the one fake the
 * suites allow) and real supabase-js clients against a local stack: the ±5 minute signature
 * window is exact at its edges; a user_snapshot is the database's (report_activity), whatever the
 * injected clock says.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { orgTopic } from '../../src/contract/topics.ts';
import { USERS } from '../../supabase/fixture.ts';
import { createBridgeClients } from '../../supabase/functions/realtime-bridge/clients.ts';
import { loadBridgeEnv } from '../../supabase/functions/realtime-bridge/env.ts';
import { createHandler } from '../../supabase/functions/realtime-bridge/handler.ts';
import { claimIdempotencyKey, sha256Hex } from '../../supabase/functions/realtime-bridge/shared-store.ts';
import type { Inbox } from '../_support/inbox.ts';
import { BACKENDS } from '../_db.ts';
import { ACME, startBridgeStack, type BridgeStack, type Received } from './_bridge.ts';

const SECRET = 'handler-test-secret-0123456789';
/** The injected clock: 2026-12-01T12:00:00Z. */
const NOW_MS = Date.UTC(2026, 11, 1, 12, 0, 0);

describe.each(BACKENDS)('handleRequest with an injected clock on %s', (backend) => {
  let bridge: BridgeStack;
  let owner: Inbox<Received>;
  let handleRequest: (req: Request) => Promise<Response>;

  beforeAll(async () => {
    bridge = await startBridgeStack(backend);
    owner = await bridge.observe('acmeOwner', [orgTopic(ACME)]);
    const { stack } = bridge.auth;
    const env = loadBridgeEnv({
      SUPABASE_URL: stack.url,
      SUPABASE_ANON_KEY: stack.config.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: stack.config.serviceRoleKey,
      BRIDGE_GMAIL_SECRET: SECRET,
    });
    handleRequest = createHandler({
      env,
      clients: createBridgeClients(env),
      now: () => NOW_MS,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      fetch,
    });
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  function gmailRequest(eventId: string, timestamp: number): Request {
    const body = JSON.stringify({
      eventId,
      recipientEmail: USERS.acmeOwner.email,
      from: 'Dee',
      subject: `window ${eventId}`,
    });
    const signature = createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex');
    return new Request(`http://bridge.test/realtime-bridge/integrations/gmail/${ACME}`, {
      method: 'POST',
      headers: { 'x-pubdev-timestamp': String(timestamp), 'x-pubdev-signature': `sha256=${signature}` },
      body,
    });
  }

  test.each([
    ['300 s old', -300, 202],
    ['301 s old', -301, 401],
    ['300 s ahead', 300, 202],
    ['301 s ahead', 301, 401],
  ])('a signature %s: %i', async (name, offsetSeconds, status) => {
    const response = await handleRequest(gmailRequest(`window-${name}`, NOW_MS / 1000 + offsetSeconds));
    expect(response.status).toBe(status);
    if (status === 401)
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('stale_timestamp');
  });

  test("a user_snapshot is reported through the database: its id and time are the database's", async () => {
    const response = await handleRequest(
      new Request('http://bridge.test/realtime-bridge/broadcast', {
        method: 'POST',
        headers: { authorization: `Bearer ${bridge.auth.stack.config.serviceRoleKey}` },
        body: JSON.stringify({
          organizationId: ACME,
          message: {
            type: 'user_snapshot',
            data: { userId: USERS.acmeOwner.id, activity: { action: 'clocked', status: 'online' } },
          },
        }),
      }),
    );
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    expect(id).toMatch(new RegExp(`^${ACME}:${USERS.acmeOwner.id}:\\d+$`));
    const heard = await owner.first((r) => r.payload.id === id);
    // Stamped by the database when it stored the report, not by the bridge's (injected) clock.
    expect(heard.payload.timestamp).not.toBe(new Date(NOW_MS).toISOString());
    expect(Math.abs(Date.parse(heard.payload.timestamp as string) - Date.now())).toBeLessThan(60_000);
  });
});

describe.each(BACKENDS)('Idempotency-Key waits on the injected clock on %s', (backend) => {
  let bridge: BridgeStack;
  let handleRequest: (req: Request) => Promise<Response>;
  /** The fake clock moves only when the bridge sleeps, so its 10 s wait passes in a few real ms. */
  let fakeNow = NOW_MS;
  let sleeps = 0;

  beforeAll(async () => {
    bridge = await startBridgeStack(backend);
    const { stack } = bridge.auth;
    const env = loadBridgeEnv({
      SUPABASE_URL: stack.url,
      SUPABASE_ANON_KEY: stack.config.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: stack.config.serviceRoleKey,
    });
    handleRequest = createHandler({
      env,
      clients: createBridgeClients(env),
      now: () => fakeNow,
      sleep: async (ms) => {
        sleeps += 1;
        fakeNow += ms;
      },
      fetch,
    });
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  test('a repeat of a key still held by a first request answers 409 once the clock passes the wait', async () => {
    const body = JSON.stringify({
      organizationId: ACME,
      message: { type: 'team_update', data: { updateType: 'assignment', message: 'held key', details: {} } },
    });
    const env = loadBridgeEnv({
      SUPABASE_URL: bridge.auth.stack.url,
      SUPABASE_ANON_KEY: bridge.auth.stack.config.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: bridge.auth.stack.config.serviceRoleKey,
    });
    // A first request that claimed the key and has not finished: the claim, as the bridge makes it.
    const first = await claimIdempotencyKey(
      createBridgeClients(env).service,
      'service_role',
      'held-key',
      await sha256Hex(new TextEncoder().encode(body)),
      300,
    );
    expect(first.state).toBe('claimed');

    const started = fakeNow;
    const response = await handleRequest(
      new Request('http://bridge.test/realtime-bridge/broadcast', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${bridge.auth.stack.config.serviceRoleKey}`,
          'idempotency-key': 'held-key',
        },
        body,
      }),
    );
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_in_use');
    // 10 s of 25 ms polls on the injected clock, and not one more: the wait reads no other clock.
    expect(sleeps).toBe(401);
    expect(fakeNow - started).toBe(401 * 25);
  });
});
