/**
 * `npm run bench`: latency of the local Realtime server through the real supabase-js client,
 * each measurement beside its baseline. Prints the setup, then one table row per variant with
 * the median, p99 and the median's ratio to the baseline.
 *
 *   broadcast fan-out   1 sender → 10 subscribers, public channel; baseline vsn 1.0.0 (JSON text),
 *                       candidate vsn 2.0.0 (binary kinds 3/4, supabase-js's default)
 *   private join        join round trip; baseline public channel, candidate private channel
 *                       (adds the §6.2 RLS read probe)
 *   DB broadcast        `select realtime.send(…)` → subscriber; PGlite, and PostgreSQL when
 *                       DATABASE_URL is set (baseline PGlite)
 *
 * Not a test: numbers vary with the machine; compare rows of one run, not runs of different days.
 */
import { performance } from 'node:perf_hooks';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import { openDatabase, prepareDatabase, type Database } from '../../local-stack/db/index.ts';
import { ORGS, USERS } from '../../supabase/fixture.ts';
import { signJwt } from '../../local-stack/jwt.ts';
import { startLocalStack, type LocalStack } from '../../local-stack/stack.ts';
import { fixed, printTable, ratio, summarize } from './_stats.ts';

const SUBSCRIBERS = 10;
const MESSAGES = 300;
const JOINS = 60;
const DB_MESSAGES = 200;
// Paced, not flooded: the bench measures latency, not the queue a burst builds up.
const SEND_INTERVAL_MS = 4;

type Vsn = '1.0.0' | '2.0.0';

interface Row {
  scenario: string;
  variant: string;
  samples: number[];
  baseline: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function client(stack: LocalStack, vsn: Vsn, token?: string): SupabaseClient {
  return createClient(stack.url, stack.config.anonKey, {
    realtime: { vsn },
    auth: { persistSession: false, autoRefreshToken: false },
    ...(token ? { accessToken: async () => token } : {}),
  });
}

function subscribe(channel: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) =>
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve();
      else if (status !== 'CLOSED') reject(error ?? new Error(status));
    }),
  );
}

async function broadcastFanOut(stack: LocalStack, vsn: Vsn): Promise<number[]> {
  const clients = Array.from({ length: SUBSCRIBERS + 1 }, () => client(stack, vsn));
  const topic = `bench-fanout-${vsn}`;
  const latencies: number[] = [];
  let pending: { sentAt: number; left: number; done: () => void } | undefined;
  const receivers = clients.slice(1).map((c) =>
    c.channel(topic).on('broadcast', { event: 'tick' }, () => {
      if (!pending) return;
      latencies.push(performance.now() - pending.sentAt);
      if (--pending.left === 0) pending.done();
    }),
  );
  await Promise.all(receivers.map(subscribe));
  const sender = clients[0]!.channel(topic);
  await subscribe(sender);
  for (let i = 0; i < MESSAGES; i++) {
    await new Promise<void>((done) => {
      pending = { sentAt: performance.now(), left: SUBSCRIBERS, done };
      void sender.send({ type: 'broadcast', event: 'tick', payload: { i, body: 'x'.repeat(200) } });
    });
    await sleep(SEND_INTERVAL_MS);
  }
  await Promise.all(clients.map((c) => c.removeAllChannels()));
  return latencies;
}

async function joins(stack: LocalStack, isPrivate: boolean): Promise<number[]> {
  const token = await signJwt(
    {
      sub: USERS.acmeOwner.id,
      role: 'authenticated',
      aud: 'authenticated',
      email: USERS.acmeOwner.email,
      exp: Math.floor(Date.now() / 1000) + 3600,
    },
    stack.config.jwtSecret,
  );
  const c = client(stack, '2.0.0', token);
  await c.realtime.setAuth();
  const samples: number[] = [];
  for (let i = 0; i < JOINS; i++) {
    const channel = c.channel(isPrivate ? `org:${ORGS.acme.id}` : `bench-public-${i}`, {
      config: { private: isPrivate },
    });
    const started = performance.now();
    await subscribe(channel);
    samples.push(performance.now() - started);
    await c.removeChannel(channel);
  }
  await c.removeAllChannels();
  return samples;
}

async function dbBroadcast(stack: LocalStack, db: Database): Promise<number[]> {
  const c = client(stack, '2.0.0');
  const samples: number[] = [];
  let pending: { sentAt: number; done: () => void } | undefined;
  const channel = c.channel('bench-db').on('broadcast', { event: 'row' }, () => {
    if (!pending) return;
    samples.push(performance.now() - pending.sentAt);
    pending.done();
  });
  await subscribe(channel);
  for (let i = 0; i < DB_MESSAGES; i++) {
    await new Promise<void>((done) => {
      pending = { sentAt: performance.now(), done };
      void db.query(`select realtime.send(jsonb_build_object('i', $1::int), 'row', 'bench-db', false)`, [i]);
    });
  }
  await c.removeAllChannels();
  return samples;
}

async function withStack<T>(
  databaseUrl: string | undefined,
  fn: (stack: LocalStack, db: Database) => Promise<T>,
): Promise<T> {
  const db = await openDatabase({ url: databaseUrl });
  await prepareDatabase(db);
  // The events/s limit (100 by default) would close channels mid-run; the bench measures latency.
  // The baselines use public channels: opt out of the private-only default.
  const stack = await startLocalStack(
    { port: 0, realtime: { maxEventsPerSecond: 1_000_000, maxJoinsPerSecond: 1_000_000, privateOnly: false } },
    { db },
  );
  try {
    return await fn(stack, db);
  } finally {
    await stack.stop();
    await db.close();
  }
}

function printLatencyTable(rows: Row[]): void {
  const body = rows.map((row) => {
    const { n, p50, p99 } = summarize(row.samples);
    const base = rows.find((r) => r.scenario === row.scenario && r.baseline);
    return [
      row.scenario,
      row.variant + (row.baseline ? ' (baseline)' : ''),
      String(n),
      fixed(p50, 2),
      fixed(p99, 2),
      row.baseline ? '1.00' : ratio(p50, base ? summarize(base.samples).p50 : Number.NaN),
    ];
  });
  printTable(['scenario', 'variant', 'n', 'median ms', 'p99 ms', 'median ratio'], body);
}

/** The latency table: supabase-js round trips, each beside its baseline. */
export async function runTable(): Promise<void> {
  const postgresUrl = process.env.DATABASE_URL;
  console.log('Setup: local stack on 127.0.0.1 (port 0), supabase-js 2.119 clients in the same Node process,');
  console.log(
    `       ${SUBSCRIBERS} subscribers × ${MESSAGES} messages (200 B payload, one in flight, ${SEND_INTERVAL_MS} ms apart),`,
  );
  console.log(
    `       ${JOINS} sequential joins, ${DB_MESSAGES} sequential realtime.send calls; events/s limit lifted.`,
  );
  console.log(
    `       Node ${process.version}, ${postgresUrl ? 'PostgreSQL at DATABASE_URL and ' : ''}PGlite in memory.\n`,
  );
  const rows: Row[] = [];
  await withStack(undefined, async (stack, db) => {
    rows.push({
      scenario: 'broadcast fan-out',
      variant: 'vsn 1.0.0',
      samples: await broadcastFanOut(stack, '1.0.0'),
      baseline: true,
    });
    rows.push({
      scenario: 'broadcast fan-out',
      variant: 'vsn 2.0.0',
      samples: await broadcastFanOut(stack, '2.0.0'),
      baseline: false,
    });
    rows.push({ scenario: 'join', variant: 'public', samples: await joins(stack, false), baseline: true });
    rows.push({ scenario: 'join', variant: 'private (RLS probe)', samples: await joins(stack, true), baseline: false });
    rows.push({ scenario: 'DB broadcast', variant: 'PGlite', samples: await dbBroadcast(stack, db), baseline: true });
  });
  if (postgresUrl) {
    await withStack(postgresUrl, async (stack, db) => {
      rows.push({
        scenario: 'DB broadcast',
        variant: 'PostgreSQL',
        samples: await dbBroadcast(stack, db),
        baseline: false,
      });
    });
  }
  printLatencyTable(rows);
}
