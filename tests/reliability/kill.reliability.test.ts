/**
 * kill -9 of the local stack with events in flight, on PGlite with a data directory and on
 * PostgreSQL (a cluster of this suite's own): two product clients subscribed, an agent account
 * and the service role writing without pause and retrying through the outage. After the stack
 * comes back on the same port, every write the stack had acknowledged is still in the tables, and
 * every client shows exactly the tables, with nothing delivered twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, prepareDatabase } from '../../local-stack/db/index.ts';
import { freePort, startStackProcess, stopStackProcess, type StackProcess } from '../integration/_stack-process.ts';
import {
  ACME,
  ACME_WRITES,
  connected,
  expectNothingLostOrDuplicated,
  serviceClient,
  writerClients,
} from './_harness.ts';
import { observedClient, type ObservedClient } from './_observed-client.ts';
import { clusterUnavailable, createPgCluster, type PgCluster } from './_pg-cluster.ts';
import { startWriter } from './_writer.ts';

const unavailable = clusterUnavailable();
if (unavailable && process.env.CI) throw new Error(`CI must run the kill suite on PostgreSQL: ${unavailable}`);

/** Limits out of the way and join errors answered at once: this measures recovery, not a plan. */
const STACK_ENV = {
  PUBDEV_REALTIME_MAX_EVENTS_PER_SECOND: '100000',
  PUBDEV_REALTIME_MAX_JOINS_PER_SECOND: '10000',
  PUBDEV_REALTIME_JOIN_ERROR_DELAY_MS: '0',
};

interface Backend {
  readonly name: string;
  /** The stack's environment for this backend (the same on every start). */
  env(): Promise<Record<string, string>>;
  dispose(): Promise<void>;
}

function pgliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'pubdev-pglite-'));
  return {
    name: 'PGlite with a data directory',
    env: async () => ({ PUBDEV_DATA_DIR: dir }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresBackend(): Backend {
  let cluster: PgCluster | undefined;
  return {
    name: 'PostgreSQL',
    async env() {
      if (!cluster) {
        cluster = await createPgCluster();
        const db = await openDatabase({ url: cluster.url });
        await prepareDatabase(db);
        await db.close();
      }
      return { DATABASE_URL: cluster.url };
    },
    dispose: async () => cluster?.destroy(),
  };
}

const backends = [pgliteBackend, ...(unavailable ? [] : [postgresBackend])];

describe.each(backends.map((make) => [make().name, make] as const))('kill -9 of the stack on %s', (_name, make) => {
  const backend = make();
  let stack: StackProcess | undefined;
  const clients: ObservedClient[] = [];

  afterAll(async () => {
    for (const client of clients) await client.stop();
    if (stack) await stopStackProcess(stack);
    await backend.dispose();
  });

  it('with writes in flight: acknowledged writes survive, every client converges, nothing twice', async () => {
    const port = String(await freePort());
    const env = { ...STACK_ENV, ...(await backend.env()), PUBDEV_PORT: port };
    stack = await startStackProcess(env);
    const url = stack.url;
    const options = { reconnectAfterMs: 200, requestTimeoutMs: 5000 };
    clients.push(await observedClient(url, 'acmeOwner', options), await observedClient(url, 'acmeWest', options));
    for (const client of clients) await connected(client);

    const writer = startWriter(await writerClients(url), ACME_WRITES);
    await writer.rounds(5);
    // Mid-stream: requests are in flight, broadcasts are being fanned out.
    await stopStackProcess(stack, true);
    for (const client of clients)
      await expect.poll(() => client.core.connection.getSnapshot().status, { timeout: 60_000 }).toBe('reconnecting');
    const failedDuringOutage = writer.failedAttempts;
    stack = await startStackProcess(env);
    await writer.rounds(5);
    const report = await writer.stop();
    expect(report.failedAttempts, 'the writer retried through the outage').toBeGreaterThan(0);
    expect(failedDuringOutage).toBeGreaterThan(0);

    // Durability: every insert the stack answered with success is in the tables after the crash.
    const service = serviceClient(url);
    for (const [table, ids] of [
      ['team_updates', report.acknowledged.teamUpdates],
      ['notifications', report.acknowledged.notifications],
    ] as const) {
      const { data, error } = await service
        .from(table)
        .select('id')
        .eq('organization_id', ACME)
        .in('id', [...ids]);
      expect(error).toBeNull();
      expect(data?.length, `${table}: acknowledged rows after the crash`).toBe(ids.length);
    }

    await expectNothingLostOrDuplicated(clients);
  });
});
