/**
 * The bridge table of `npm run bench`: what POST /broadcast of the realtime-bridge edge function
 * (real Deno behind the local stack) costs over sending straight to Realtime, measured in the
 * same run against the same subscriber.
 *
 *   httpSend (baseline)      service-role supabase-js `channel.httpSend` on org:<acme>:activity
 *   bridge user_snapshot     POST /broadcast → auth, rate limit (a database round trip), report_activity
 *                            (store + realtime.send), rotating over PEOPLE people: report_activity
 *                            broadcasts at most one report per person per 100 ms
 *   bridge team_update       POST /broadcast → insert into team_updates → trigger → realtime.send
 *
 * Latency: one request in flight, from the call to delivery at a supabase-js subscriber (the
 * Acme owner). Throughput: CONCURRENCY requests in flight until every delivery has arrived.
 * Not a test: compare rows of one run, not runs of different days.
 */
import { performance } from 'node:perf_hooks';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import { activityTopic, orgTopic } from '../../src/contract/topics.ts';
import { openDatabase, prepareDatabase } from '../../local-stack/db/index.ts';
import { ORGS, USERS } from '../../supabase/fixture.ts';
import { signJwt } from '../../local-stack/jwt.ts';
import { startLocalStack, type LocalStack } from '../../local-stack/stack.ts';
import { bridgeFunctionsDir } from '../bridge-functions-dir.ts';
import { fixed, printTable, ratio, summarize } from './_stats.ts';

const LATENCY_SAMPLES = 100;
const THROUGHPUT_REQUESTS = 150;
const CONCURRENCY = 8;
const ACME = ORGS.acme.id;
const OWNER = USERS.acmeOwner.id;
/** People the user_snapshot rows report for, in turn: each is reported far less often than every 100 ms. */
const PEOPLE = 64;
const personId = (n: number) => `e0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

type Send = (marker: string) => Promise<void>;

interface Row {
  variant: string;
  baseline: boolean;
  latencies: number[];
  requestsPerSecond: number;
}

/** Deliveries by marker: a waiter per marker resolves when its message arrives. */
class Deliveries {
  private readonly waiting = new Map<string, () => void>();
  private readonly early = new Set<string>();

  heard(marker: string): void {
    const waiter = this.waiting.get(marker);
    if (waiter) {
      this.waiting.delete(marker);
      waiter();
    } else {
      this.early.add(marker);
    }
  }

  arrival(marker: string, timeoutMs = 10_000): Promise<void> {
    if (this.early.delete(marker)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`bench: ${marker} was not delivered within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiting.set(marker, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

async function subscribeOwner(stack: LocalStack, deliveries: Deliveries): Promise<SupabaseClient> {
  const token = await signJwt(
    {
      sub: OWNER,
      role: 'authenticated',
      aud: 'authenticated',
      email: USERS.acmeOwner.email,
      exp: Math.floor(Date.now() / 1000) + 3600,
    },
    stack.config.jwtSecret,
  );
  const owner = createClient(stack.url, stack.config.anonKey, {
    accessToken: async () => token,
    auth: { persistSession: false, autoRefreshToken: false },
  });
  await owner.realtime.setAuth();
  for (const topic of [activityTopic(ACME), orgTopic(ACME)]) {
    const channel: RealtimeChannel = owner.channel(topic, { config: { private: true } });
    channel.on('broadcast', { event: '*' }, ({ payload }) => {
      const data = (payload as { data?: { activity?: { action?: string }; message?: string } }).data;
      const marker = data?.activity?.action ?? data?.message;
      if (marker) deliveries.heard(marker);
    });
    await new Promise<void>((resolve, reject) =>
      channel.subscribe((status, error) => (status === 'SUBSCRIBED' ? resolve() : reject(error ?? new Error(status)))),
    );
  }
  return owner;
}

async function measure(variant: string, baseline: boolean, send: Send, deliveries: Deliveries): Promise<Row> {
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const marker = `${variant}-latency-${i}`;
    const started = performance.now();
    const arrived = deliveries.arrival(marker);
    await send(marker);
    await arrived;
    latencies.push(performance.now() - started);
  }
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < THROUGHPUT_REQUESTS) {
        const marker = `${variant}-throughput-${next++}`;
        const arrived = deliveries.arrival(marker);
        await send(marker);
        await arrived;
      }
    }),
  );
  return {
    variant,
    baseline,
    latencies,
    requestsPerSecond: THROUGHPUT_REQUESTS / ((performance.now() - started) / 1000),
  };
}

function bridgeSender(stack: LocalStack, message: (marker: string) => unknown): Send {
  const url = `${stack.url}/functions/v1/realtime-bridge/broadcast`;
  return async (marker) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.config.serviceRoleKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ organizationId: ACME, message: message(marker) }),
    });
    if (response.status !== 202)
      throw new Error(`bench: the bridge answered ${response.status} ${await response.text()}`);
  };
}

function httpSendSender(stack: LocalStack): Send {
  const service = createClient(stack.url, stack.config.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const channel = service.channel(activityTopic(ACME), { config: { private: true } });
  return async (marker) => {
    await service.realtime.setAuth(stack.config.serviceRoleKey);
    await channel.httpSend('user_snapshot', {
      id: crypto.randomUUID(),
      type: 'user_snapshot',
      data: { userId: OWNER, activity: { action: marker, status: 'online' } },
      timestamp: new Date().toISOString(),
    });
  };
}

function printBridgeTable(rows: Row[]): void {
  const base = rows.find((r) => r.baseline)!;
  const baseP50 = summarize(base.latencies).p50;
  const body = rows.map((row) => {
    const { n, p50, p99 } = summarize(row.latencies);
    return [
      'bridge',
      row.variant + (row.baseline ? ' (baseline)' : ''),
      String(n),
      fixed(row.requestsPerSecond, 0),
      fixed(p50, 2),
      fixed(p99, 2),
      ratio(p50, baseP50),
      ratio(row.requestsPerSecond, base.requestsPerSecond),
    ];
  });
  printTable(['scenario', 'variant', 'n', 'req/s', 'p50 ms', 'p99 ms', 'p50 ratio', 'req/s ratio'], body);
}

export async function runTable(): Promise<void> {
  console.log('Bridge: realtime-bridge in Deno behind the local stack (PGlite in memory), service-role sender,');
  console.log(
    `        the Acme owner's supabase-js client subscribed; ${LATENCY_SAMPLES} sequential requests for latency,`,
  );
  console.log(
    `        ${THROUGHPUT_REQUESTS} with ${CONCURRENCY} in flight for req/s; bridge and Realtime rate limits lifted.\n`,
  );
  const dir = bridgeFunctionsDir({ BRIDGE_RATE_LIMIT_PER_SECOND: '1000000' });
  const db = await openDatabase();
  await prepareDatabase(db);
  for (let n = 0; n < PEOPLE; n++) {
    await db.query(`insert into auth.users (id, email, aud, role) values ($1, $2, 'authenticated', 'authenticated')`, [
      personId(n),
      `bench-${n}@acme.test`,
    ]);
    await db.query(`insert into public.organization_members (organization_id, user_id) values ($1, $2)`, [
      ACME,
      personId(n),
    ]);
  }
  const stack = await startLocalStack(
    {
      port: 0,
      functionsDir: dir.functionsDir,
      realtime: { maxEventsPerSecond: 1_000_000, maxJoinsPerSecond: 1_000_000 },
    },
    { db, log: () => {} },
  );
  try {
    const deliveries = new Deliveries();
    const owner = await subscribeOwner(stack, deliveries);
    let reports = 0;
    const snapshot = (marker: string) => ({
      type: 'user_snapshot',
      data: { userId: personId(reports++ % PEOPLE), activity: { action: marker, status: 'online' } },
    });
    const teamUpdate = (marker: string) => ({
      type: 'team_update',
      data: { updateType: 'assignment', message: marker, details: {} },
    });
    // Boots the function (Deno start, module graph) so the first sample is not a cold start.
    await bridgeSender(stack, snapshot)('warm-up');
    const rows = [
      await measure('httpSend', true, httpSendSender(stack), deliveries),
      await measure('bridge user_snapshot', false, bridgeSender(stack, snapshot), deliveries),
      await measure('bridge team_update', false, bridgeSender(stack, teamUpdate), deliveries),
    ];
    await owner.removeAllChannels();
    owner.realtime.disconnect();
    printBridgeTable(rows);
  } finally {
    await stack.stop();
    await db.close();
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runTable().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
