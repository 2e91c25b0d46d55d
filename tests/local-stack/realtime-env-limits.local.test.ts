import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../local-stack/config.ts';
import { BUCKET_MS } from '../../local-stack/index.ts';
import { startLocalStack, type LocalStack } from '../../local-stack/stack.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { ManualClock } from '../_support/clock.ts';
import { subscribed } from '../_support/user-clients.ts';

/** The Realtime connection limits `npm run local` reads from its environment, like the other limits. */
describe('PUBDEV_REALTIME_MAX_CONCURRENT_USERS and PUBDEV_REALTIME_MAX_JOINS_PER_SECOND', () => {
  it("default to Supabase Realtime's 200 users and 100 joins/s and reject what is not a whole number", () => {
    expect(configFromEnv({}).realtime).toMatchObject({ maxConcurrentUsers: 200, maxJoinsPerSecond: 100 });
    expect(
      configFromEnv({ PUBDEV_REALTIME_MAX_CONCURRENT_USERS: '5000', PUBDEV_REALTIME_MAX_JOINS_PER_SECOND: '250' })
        .realtime,
    ).toMatchObject({
      maxConcurrentUsers: 5000,
      maxJoinsPerSecond: 250,
    });
    expect(() => configFromEnv({ PUBDEV_REALTIME_MAX_CONCURRENT_USERS: '1e3' })).toThrow(
      'PUBDEV_REALTIME_MAX_CONCURRENT_USERS must be a whole number',
    );
    expect(() => configFromEnv({ PUBDEV_REALTIME_MAX_JOINS_PER_SECOND: '-1' })).toThrow(
      'PUBDEV_REALTIME_MAX_JOINS_PER_SECOND must be a whole number',
    );
  });
});

describe.each(BACKENDS)('Realtime limits from the environment on %s', (backend) => {
  let t: TestDatabase;
  let stack: LocalStack;
  const clock = new ManualClock();
  const clients: SupabaseClient[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    const config = configFromEnv({
      PUBDEV_PORT: '0',
      PUBDEV_REALTIME_JOIN_ERROR_DELAY_MS: '0',
      PUBDEV_REALTIME_MAX_CONCURRENT_USERS: '2',
      PUBDEV_REALTIME_MAX_JOINS_PER_SECOND: '1',
    });
    // Public rooms stand in for any channel here: opt out of the private-only default.
    stack = await startLocalStack(
      { ...config, realtime: { ...config.realtime, connectErrorDelayMs: 0, privateOnly: false } },
      { db: t.db, clock },
    );
  });
  afterAll(async () => {
    for (const client of clients) {
      await client.removeAllChannels();
      client.realtime.disconnect();
    }
    await stack?.stop();
    await t?.dispose();
  });

  const client = () => {
    const made = createClient(stack.url, stack.config.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
    });
    clients.push(made);
    return made;
  };

  /** A raw upgrade, to read the HTTP refusal that realtime-js only retries. */
  const upgrade = () =>
    new Promise<{ status: number; body: string } | 'open'>((resolve, reject) => {
      const ws = new WebSocket(
        `${stack.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${stack.config.anonKey}&vsn=1.0.0`,
      );
      ws.on('open', () => {
        ws.close();
        resolve('open');
      });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('error', reject);
    });

  it('refuses the socket past the configured number of users with 429, and joins past the configured rate', async () => {
    const first = client();
    const second = client();
    expect(await subscribed(first.channel('room-1'))).toEqual({ status: 'SUBSCRIBED' });
    expect(await subscribed(second.channel('room-2'))).toEqual({ status: 'SUBSCRIBED' });
    expect(await upgrade()).toEqual({ status: 429, body: JSON.stringify({ error: 'Too many connected users' }) });

    // Ten joins in one 5 s bucket average 2/s over it once it completes: over the limit of 1.
    for (let i = 3; i <= 10; i++)
      expect(await subscribed(first.channel(`room-${i}`))).toEqual({ status: 'SUBSCRIBED' });
    clock.advance(BUCKET_MS);
    const refused = await subscribed(second.channel('room-11'));
    expect(refused.status).toBe('CHANNEL_ERROR');
    expect(refused.status === 'CHANNEL_ERROR' ? refused.error?.message : '').toContain(
      'ClientJoinRateLimitReached: Too many joins per second',
    );
  });
});
