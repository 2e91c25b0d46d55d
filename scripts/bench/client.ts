/**
 * The client tables of `npm run bench` (scripts/bench/run.ts runs its `runTable`):
 *
 *   absorb          agent_status messages handed to the core's channel listener exactly as
 *                   realtime-js delivers them (no socket), paced at N agents × 20 updates/s for
 *                   2 s: messages/s absorbed (contract validation, topic gate, stale-seq check,
 *                   store update), core CPU per message, and store notifications/s — each one is
 *                   at most one render of a useSyncExternalStore hook
 *   heap            bytes retained by 10 000 notifications in a feed
 *   row → snapshot  `update agent_runs` in PGlite → the agents store's next snapshot, beside the raw
 *                   supabase-js `on('broadcast')` callback for the same write (baseline)
 *
 * Not a test: numbers vary with the machine; compare rows of one run.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { territoryTopic } from '../../src/contract/index.ts';
import { openDatabase, prepareDatabase } from '../../local-stack/db/index.ts';
import { AGENT_RUNS, FIXTURE_PASSWORD, ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { startLocalStack } from '../../local-stack/stack.ts';
import { createAgentStatusStore } from '../../src/realtime/agent-status-store.ts';
import type { ChannelListener } from '../../src/realtime/channel-registry.ts';
import type { CoreContext } from '../../src/realtime/core-context.ts';
import { acceptMessage } from '../../src/realtime/accept-message.ts';
import { defaultEnvironment } from '../../src/realtime/environment.ts';
import { NewestFirstFeed } from '../../src/realtime/newest-first-feed.ts';
import { createRealtimeClient, type Notification } from '../../src/realtime/index.ts';
import { fixed, printTable, ratio, summarize } from './_stats.ts';

const ORG = ORGS.acme.id;
const RATES = [50, 200, 1000];
const UPDATES_PER_SECOND = 20;
const SECONDS = 2;
const TICK_MS = 1000 / UPDATES_PER_SECOND;
const LATENCY_WRITES = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A core context whose only channel is the listener the store registers: the ingest path without a socket. */
function ingestContext(): { ctx: CoreContext; deliver: (event: string, payload: unknown) => void } {
  const listeners: ChannelListener[] = [];
  const env = defaultEnvironment();
  const ctx: CoreContext = {
    supabase: undefined as unknown as SupabaseClient, // never reached: no catch-up runs during the bench
    env,
    organizationId: ORG,
    ready: Promise.resolve(USERS.acmeOwner.id),
    userId: () => USERS.acmeOwner.id,
    catchUpIntervalMs: 3_600_000,
    readTimeoutMs: 10_000,
    acquire(_topic, listener) {
      listeners.push(listener);
      return {
        track: () => undefined,
        tracked: () => undefined,
        release: () => void listeners.splice(listeners.indexOf(listener), 1),
      };
    },
    accept(topic, event, payload) {
      const result = acceptMessage(topic, event, payload);
      return result.ok ? result.message : null;
    },
    acceptEvent: () => null,
    reportError: () => undefined,
    registerCatchUp: () => () => undefined,
    hintGap: () => undefined,
    noticeDrop: () => undefined,
    territories: () => Promise.resolve([]),
    access: () => ({ role: 'owner', territories: [] }),
    onAccessChange: () => () => undefined,
  };
  return { ctx, deliver: (event, payload) => listeners.forEach((l) => l.onBroadcast?.(event, payload)) };
}

async function absorb(agents: number): Promise<string[]> {
  const { ctx, deliver } = ingestContext();
  const store = createAgentStatusStore(ctx);
  let notifications = 0;
  const stop = store.subscribe(() => notifications++);
  const runIds = Array.from({ length: agents }, (_, i) => `e0000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const ticks = SECONDS * UPDATES_PER_SECOND;
  let busy = 0;
  const started = performance.now();
  for (let tick = 1; tick <= ticks; tick++) {
    const t0 = performance.now();
    for (let i = 0; i < agents; i++) {
      deliver('agent_status', {
        id: `${runIds[i]}:${tick}`,
        type: 'agent_status',
        seq: tick,
        timestamp: new Date().toISOString(),
        data: {
          agentId: `agent-${i}`,
          runId: runIds[i],
          status: 'processing',
          progress: { progress: (tick / ticks) * 100, currentTask: `tick ${tick}` },
        },
      });
    }
    busy += performance.now() - t0;
    await sleep(Math.max(0, started + tick * TICK_MS - performance.now()));
  }
  await sleep(40); // the last frame's notification
  const seconds = (performance.now() - started) / 1000;
  const complete = store.getSnapshot().filter((r) => r.seq === ticks).length === agents;
  stop();
  const messages = agents * ticks;
  return [
    `${agents} × ${UPDATES_PER_SECOND}/s`,
    String(agents * UPDATES_PER_SECOND),
    (messages / seconds).toFixed(0),
    ((busy * 1000) / messages).toFixed(1),
    (notifications / seconds).toFixed(1),
    complete ? 'yes' : 'NO',
  ];
}

function heapPer10k(): string {
  setFlagsFromString('--expose_gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  const feed = new NewestFirstFeed<Notification>(10_000);
  for (let i = 0; i < 10_000; i++) {
    feed.upsert(
      Object.freeze({
        id: `e0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        message: `Agent enrichment-agent finished batch ${i}`,
        level: 'info',
        actionUrl: null,
        persistent: false,
        userId: null,
        timestamp: new Date(1_700_000_000_000 + i).toISOString(),
        read: false,
      }),
    );
  }
  feed.snapshot();
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  if (feed.snapshot().length !== 10_000) throw new Error('feed lost items');
  return `${(bytes / 1024 / 1024).toFixed(2)} MB (${Math.round(bytes / 10_000)} B/item)`;
}

async function rowToSnapshot(): Promise<{ raw: number[]; store: number[] }> {
  const db = await openDatabase();
  await prepareDatabase(db);
  // The path's own latency: every progress write broadcast (the database paces progress to one
  // broadcast a second per run, which would hold back writes 30 ms apart; see the capacity table).
  await db.exec(
    `create or replace function private.agent_progress_interval() returns interval language sql stable
       set search_path = '' as $$ select interval '0' $$`,
  );
  const stack = await startLocalStack(
    { port: 0, realtime: { maxEventsPerSecond: 1_000_000, joinErrorDelayMs: 0 } },
    { db, log: () => undefined },
  );
  const signIn = async () => {
    const c = createClient(stack.url, stack.config.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
    });
    const { error } = await c.auth.signInWithPassword({ email: USERS.acmeOwner.email, password: FIXTURE_PASSWORD });
    if (error) throw error;
    await c.realtime.setAuth();
    return c;
  };
  const rawClient = await signIn();
  const coreClient = await signIn();
  const raw: number[] = [];
  const store: number[] = [];
  let writtenAt = 0;
  let progress = 0;
  let waiting: { raw: boolean; store: boolean; done: () => void } | undefined;
  const settle = () => waiting?.raw && waiting.store && waiting.done();
  const channel = rawClient
    // The run is about a publisher, so it is broadcast on that publisher's territory topic.
    .channel(territoryTopic(ORG, PUBLISHERS.sunriseBooks.territory), { config: { private: true } })
    .on('broadcast', { event: 'agent_status' }, (m) => {
      if (
        !waiting ||
        (m.payload as { data?: { progress?: { progress?: number } } }).data?.progress?.progress !== progress
      )
        return;
      raw.push(performance.now() - writtenAt);
      waiting.raw = true;
      settle();
    });
  await new Promise<void>((resolve) => channel.subscribe((s) => s === 'SUBSCRIBED' && resolve()));
  const core = createRealtimeClient({ supabase: coreClient, organizationId: ORG, catchUpIntervalMs: 3_600_000 });
  const stop = core.agents.subscribe(() => {
    const run = core.agents.getSnapshot().find((r) => r.runId === AGENT_RUNS.acmeEnrichment.id);
    if (!waiting || waiting.store || run?.progress?.progress !== progress) return;
    store.push(performance.now() - writtenAt);
    waiting.store = true;
    settle();
  });
  while (!core.agents.getSnapshot().length) await sleep(20);
  await sleep(200);
  for (let i = 1; i <= LATENCY_WRITES; i++) {
    // Writes 30 ms apart, as a person or an agent writes; back to back they would measure the
    // per-frame coalescing (by design) instead of the path.
    await sleep(30);
    progress = (i % 99) + 1 + (i > 99 ? 0.5 : 0);
    await new Promise<void>((resolve, reject) => {
      // A write that fails or never shows ends the bench with what arrived, not a silent hang.
      const timer = setTimeout(() => {
        const shown = core.agents.getSnapshot().find((r) => r.runId === AGENT_RUNS.acmeEnrichment.id);
        reject(
          new Error(
            `progress ${progress} (write ${i}) not shown within 10 s: raw ${waiting?.raw}, store ${waiting?.store}; ` +
              `the store shows ${JSON.stringify(shown?.progress)} (${shown?.status})`,
          ),
        );
      }, 10_000);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      waiting = { raw: false, store: false, done };
      writtenAt = performance.now();
      db.query('update public.agent_runs set progress = $1 where id = $2', [
        progress,
        AGENT_RUNS.acmeEnrichment.id,
      ]).catch((error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }
  stop();
  await core.dispose();
  await rawClient.removeAllChannels();
  await coreClient.removeAllChannels();
  await stack.stop();
  await db.close();
  return { raw, store };
}

/** How much the core absorbs, and the memory of the feed. */
async function absorbTable(): Promise<void> {
  console.log(
    'Client (src/realtime): agent_status messages handed to the core as realtime-js delivers them, paced per 50 ms tick for 2 s;',
  );
  console.log(
    '       renders/s = store notifications/s (one render each at most); row → snapshot on PGlite, one write in flight, 30 ms apart.\n',
  );
  const rows: string[][] = [];
  for (const agents of RATES) rows.push(await absorb(agents));
  printTable(['load', 'offered msg/s', 'absorbed msg/s', 'core µs/msg', 'renders/s', 'all applied'], rows);
  console.log(`\nheap per 10k feed items: ${heapPer10k()}\n`);
}

/** Prints the client tables. */
export async function runTable(): Promise<void> {
  // PUBDEV_BENCH_CLIENT_ONLY=latency: the row → snapshot table alone.
  if (process.env.PUBDEV_BENCH_CLIENT_ONLY !== 'latency') await absorbTable();
  const { raw, store } = await rowToSnapshot();
  const base = summarize(raw);
  const core = summarize(store);
  printTable(
    ['row write →', 'n', 'p50 ms', 'p99 ms', 'p50 ratio'],
    [
      ['raw on(broadcast) callback (baseline)', String(base.n), fixed(base.p50, 2), fixed(base.p99, 2), '1.00'],
      [
        'agents store snapshot (hook)',
        String(core.n),
        fixed(core.p50, 2),
        fixed(core.p99, 2),
        ratio(core.p50, base.p50),
      ],
    ],
  );
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
