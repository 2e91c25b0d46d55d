/**
 * PostgreSQL restarted under a running local stack (a cluster this suite creates, so the
 * machine's shared servers are never touched): fast and immediate shutdowns, each twice under
 * load — two product clients subscribed, an agent account and the service role writing through
 * every outage with retries. The stack is never restarted: it must notice, answer 503 on /health
 * (and the bridge on its /health) while the database is gone, come back to 200, resume database
 * broadcasts and Postgres changes, and every client must end up showing exactly the tables, with
 * nothing delivered twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeFunctionsDir, type BridgeFunctionsDir } from '../../scripts/bridge-functions-dir.ts';
import { orgTopic } from '../../src/contract/index.ts';
import { openDatabase, prepareDatabase } from '../../local-stack/db/index.ts';
import { startLocalStack, type LocalStack } from '../../local-stack/index.ts';
import { subscribed } from '../_support/user-clients.ts';
import {
  ACME,
  ACME_WRITES,
  connected,
  expectNothingLostOrDuplicated,
  health,
  healthBecomes,
  serviceClient,
  signedInOwner,
  writerClients,
} from './_harness.ts';
import { observedClient, type ObservedClient } from './_observed-client.ts';
import { clusterUnavailable, createPgCluster, type PgCluster, type ShutdownMode } from './_pg-cluster.ts';
import { startWriter, type Writer } from './_writer.ts';

const unavailable = clusterUnavailable();
if (unavailable && process.env.CI) throw new Error(`CI must run the PostgreSQL restart suite: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('PostgreSQL restarts under the running stack', () => {
  let cluster: PgCluster;
  let functions: BridgeFunctionsDir;
  let stack: LocalStack;
  let clients: ObservedClient[] = [];
  let writer: Writer | undefined;
  const logs: string[] = [];

  beforeAll(async () => {
    cluster = await createPgCluster();
    const db = await openDatabase({ url: cluster.url });
    await prepareDatabase(db);
    await db.close();
    functions = bridgeFunctionsDir({ BRIDGE_RATE_LIMIT_PER_SECOND: '100000' });
    stack = await startLocalStack(
      {
        port: 0,
        databaseUrl: cluster.url,
        functionsDir: functions.functionsDir,
        realtime: { joinErrorDelayMs: 0, connectErrorDelayMs: 0, maxEventsPerSecond: 100_000 },
      },
      { log: (line) => logs.push(line) },
    );
    clients = [await observedClient(stack.url, 'acmeOwner'), await observedClient(stack.url, 'acmeWest')];
  });

  afterAll(async () => {
    await writer?.stop();
    for (const client of clients) await client.stop();
    await stack?.stop();
    functions?.remove();
    await cluster?.destroy();
  });

  const stackHealth = () => `${stack.url}/health`;
  const bridgeHealth = () => `${stack.url}/functions/v1/realtime-bridge/health`;

  it('survives fast and immediate restarts, twice each, under load', async () => {
    const serviceKey = stack.config.serviceRoleKey;
    expect(await health(stackHealth())).toEqual({ status: 200, body: 'ok' });
    expect((await health(bridgeHealth(), serviceKey)).status).toBe(200);
    for (const client of clients) await connected(client);

    const live = startWriter(await writerClients(stack.url), { ...ACME_WRITES, pauseMs: 20 });
    writer = live;
    await live.rounds(3);

    const outage = async (mode: ShutdownMode, how: 'stop-start' | 'restart') => {
      const failedBefore = live.failedAttempts;
      if (how === 'restart') {
        await cluster.restart(mode);
      } else {
        await cluster.stop(mode);
        // The database is gone: both health checks say so at once, naming it.
        const down = await health(stackHealth());
        expect(down.status, `stack /health during a ${mode} stop`).toBe(503);
        expect(down.body).toMatch(/^database unavailable/);
        const bridge = await health(bridgeHealth(), serviceKey);
        expect(bridge.status, `bridge /health during a ${mode} stop`).toBe(503);
        expect(JSON.parse(bridge.body)).toMatchObject({ status: 'down', error: { code: 'unavailable' } });
        expect((JSON.parse(bridge.body) as { down: string[] }).down).toContain('database');
        // The writer keeps trying through the outage.
        await expect.poll(() => live.failedAttempts, { timeout: 20_000 }).toBeGreaterThan(failedBefore);
        await cluster.start();
      }
      await healthBecomes(stackHealth(), 200);
      await healthBecomes(bridgeHealth(), 200, serviceKey);
      // Writes go on after the restart: the stack's pool opened new connections by itself.
      await live.rounds(3);
    };

    await outage('fast', 'stop-start');
    await outage('immediate', 'stop-start');
    await outage('fast', 'restart');
    await outage('immediate', 'restart');
    const report = await live.stop();
    writer = undefined;
    expect(report.failedAttempts, 'the writer met the outages').toBeGreaterThan(0);
    expect(logs.filter((l) => l === 'realtime: database connection lost').length).toBeGreaterThanOrEqual(4);

    await expectNothingLostOrDuplicated(clients);

    // Realtime resumed both paths: a new channel hears a database broadcast and a Postgres change.
    const watcher = await signedInOwner(stack.url);
    const heard: string[] = [];
    const channel = watcher
      .channel(orgTopic(ACME), { config: { private: true } })
      .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'publishers' }, () => heard.push('change'))
      .on('broadcast', { event: 'team_update' }, () => heard.push('broadcast'));
    await watcher.realtime.setAuth();
    expect((await subscribed(channel)).status).toBe('SUBSCRIBED');
    const service = serviceClient(stack.url);
    await expect
      .poll(
        async () => {
          await service
            .from('team_updates')
            .insert({ organization_id: ACME, update_type: 'assignment', message: 'after' });
          await service.from('publishers').update({ status: 'active' }).eq('organization_id', ACME);
          return heard.includes('change') && heard.includes('broadcast');
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(true);
    await watcher.removeAllChannels();
  });
});
