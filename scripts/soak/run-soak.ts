/**
 * One soak: the stack in a child process (scripts/soak/stack-child.ts), the soak's organisations
 * loaded into its database, N people's product clients connected in batches, the load running
 * with presence churn for the given minutes, then a settle (the cores' backfill gets its chance)
 * and the verdict. Returns the verdict and the memory samples; the caller prints and decides.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createClient } from '@supabase/supabase-js';
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY } from '../../local-stack/keys.ts';
import { createSoakClient, type SoakClient } from './clients.ts';
import { soakFixtureSql, soakOrgs } from './fixture.ts';
import { startLoad } from './load.ts';
import type { FromStack, ToStack } from './stack-child.ts';
import { judge, missing, type MemorySample, type Truth, type Verdict } from './verdict.ts';

export interface SoakOptions {
  readonly clients: number;
  readonly minutes: number;
  /** Persisted events per second across every organisation. */
  readonly rate: number;
  /** A PostgreSQL database for the stack (empty, or already prepared); PGlite in memory without. */
  readonly databaseUrl?: string;
  /** Where the stack process writes a V8 CPU profile when it exits (open it in Chrome DevTools). */
  readonly cpuProfileDir?: string;
  /** Where the stack process appends each minute's top statements by database time (JSON lines). */
  readonly sqlProfileFile?: string;
  /** How often the stack reports its memory. */
  readonly sampleMs: number;
  /** Each churn tick closes and reopens this share of the clients (a tab reopened). */
  readonly churnShare: number;
  readonly churnEveryMs: number;
  readonly catchUpIntervalMs: number;
  readonly log: (line: string) => void;
}

export interface SoakResult {
  readonly verdict: Verdict;
  readonly samples: readonly MemorySample[];
  readonly writeErrors: readonly string[];
  /** Writes not started because the stack was behind (the offered rate was not reached). */
  readonly deferredWrites: number;
  readonly writesPerSecond: number;
  readonly orgs: number;
  readonly loadAverage: readonly number[];
  readonly warmupMs: number;
}

/** Limits out of the way: the soak measures the stack, not a plan's quota (docs/local-stack.md). */
const RAISED_LIMITS = {
  PUBDEV_REALTIME_MAX_CONCURRENT_USERS: '100000',
  PUBDEV_REALTIME_MAX_JOINS_PER_SECOND: '100000',
  PUBDEV_REALTIME_MAX_EVENTS_PER_SECOND: '100000000',
  PUBDEV_REALTIME_MAX_PRESENCE_EVENTS_PER_SECOND: '100000000',
  PUBDEV_AUTH_RATE_LIMIT_TOKEN: '1000000',
  PUBDEV_REALTIME_JOIN_ERROR_DELAY_MS: '0',
};
/** Clients connected at once while the soak fills up: each socket heartbeats from its start. */
const CONNECT_BATCH = 10;
/** How long every client may take to join all its channels (hundreds of RLS join checks on a busy machine). */
const JOIN_WAIT_MS = 300_000;
/** Org, activity, user and territory topics: a client whose channels are all joined (at least three). */
const allJoined = (client: SoakClient) => {
  const channels = client.supabase.getChannels();
  return channels.length >= 3 && channels.every((channel) => channel.state === 'joined');
};

function startStack(options: SoakOptions): Promise<{ child: ChildProcess; url: string; samples: MemorySample[] }> {
  const child = fork(fileURLToPath(new URL('./stack-child.ts', import.meta.url)), [], {
    execArgv: [
      '--import',
      'tsx',
      '--expose-gc',
      ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    ],
    env: {
      ...process.env,
      ...RAISED_LIMITS,
      PUBDEV_PORT: '0',
      PUBDEV_DATA_DIR: '',
      DATABASE_URL: options.databaseUrl ?? '',
      SOAK_SAMPLE_MS: String(options.sampleMs),
      SOAK_SQL_PROFILE: options.sqlProfileFile ?? '',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const samples: MemorySample[] = [];
  return new Promise((resolve, reject) => {
    child.on('message', (message: FromStack) => {
      if (message.kind === 'ready') resolve({ child, url: message.url, samples });
      else if (message.kind === 'sample') samples.push(message);
      else if (message.kind === 'error') reject(new Error(`soak stack: ${message.message}`));
    });
    child.once('exit', (code) => reject(new Error(`soak stack exited with ${String(code)}`)));
  });
}

function ask(child: ChildProcess, message: ToStack, answer: FromStack['kind']): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: FromStack) => {
      if (reply.kind === answer) {
        child.off('message', onMessage);
        resolve();
      } else if (reply.kind === 'error') reject(new Error(`soak stack: ${reply.message}`));
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { log } = options;
  const orgs = soakOrgs(options.clients);
  const { child, url, samples } = await startStack(options);
  const clients: SoakClient[] = [];
  try {
    await ask(child, { kind: 'setup', sql: soakFixtureSql(orgs) }, 'setup-done');
    log(`stack at ${url}; ${orgs.length} organisations; connecting ${options.clients} clients`);
    const people = orgs.flatMap((org) => org.people);
    const clientOptions = { url, anonKey: LOCAL_ANON_KEY, catchUpIntervalMs: options.catchUpIntervalMs };
    for (let i = 0; i < people.length; i += CONNECT_BATCH) {
      const batch = people.slice(i, i + CONNECT_BATCH);
      clients.push(...(await Promise.all(batch.map((person) => createSoakClient(person, clientOptions)))));
    }
    // Every channel of every client joined before the load starts: the soak measures delivery,
    // not the connection storm (which the table's time series shows).
    const joinedBy = Date.now() + JOIN_WAIT_MS;
    while (Date.now() < joinedBy && !clients.every(allJoined)) await sleep(250);
    const unjoined = clients.filter((c) => !allJoined(c)).length;
    if (unjoined > 0)
      throw new Error(`soak: ${unjoined} clients still had unjoined channels after ${JOIN_WAIT_MS / 1000} s`);
    const load = await startLoad(orgs, {
      url,
      anonKey: LOCAL_ANON_KEY,
      serviceRoleKey: LOCAL_SERVICE_ROLE_KEY,
      rate: options.rate,
    });
    const started = Date.now();
    log(`clients joined; load at ${options.rate} events/s for ${options.minutes} min`);
    const end = started + options.minutes * 60_000;
    let tick = 0;
    while (Date.now() < end) {
      await sleep(Math.min(options.churnEveryMs, end - Date.now()));
      tick += 1;
      const churned = clients.filter((_, i) => (i + tick) % Math.round(1 / options.churnShare) === 0);
      await Promise.all(churned.map((c) => c.churn()));
      for (const c of clients.filter((_, i) => (i + tick) % 7 === 0))
        c.core.userSnapshots.updateActivity({ action: `soak tick ${tick}` });
      if (tick % Math.max(1, Math.round(60_000 / options.churnEveryMs)) === 0)
        log(
          `${Math.round((Date.now() - started) / 60_000)} min: ${load.events.size} events, ${load.errors.length} write errors, ${load.deferred} writes deferred, ${load.expiredRetries} sent again after "JWT expired"`,
        );
    }
    await load.stop();

    const service = createClient(url, LOCAL_SERVICE_ROLE_KEY, {
      auth: { persistSession: false, autoRefreshToken: false },
    });
    const [runs, publishers] = await Promise.all([
      service
        .from('agent_runs')
        .select('id,seq')
        .in(
          'organization_id',
          orgs.map((o) => o.id),
        ),
      service
        .from('publishers')
        .select('id,version')
        .in(
          'organization_id',
          orgs.map((o) => o.id),
        ),
    ]);
    if (runs.error || publishers.error) throw new Error(`soak: reading the truth failed`);
    const truth: Truth = {
      runs: new Map(runs.data.map((r) => [r.id as string, Number(r.seq)])),
      publishers: new Map(publishers.data.map((p) => [p.id as string, Number(p.version)])),
    };
    // What a person scrolls back to: after a (re)load the feed holds its newest page and older
    // items come with "Load older", so every feed is paged to its start before it is judged (an
    // item missed inside the window is still missing after that).
    for (let i = 0; i < clients.length; i += 20) await Promise.all(clients.slice(i, i + 20).map(loadWholeFeed));
    // Settle: whatever a client missed live it must have after a catch-up or two (longer when the
    // stack is behind; the loop ends as soon as nothing is missing).
    const settleUntil = Date.now() + 2 * options.catchUpIntervalMs + 60_000;
    while (Date.now() < settleUntil && clients.some((c) => missing(c, load.events, truth, orgs).length > 0))
      await sleep(500);
    const warmupMs = Math.min(120_000, options.minutes * 15_000);
    const verdict = judge(clients, load.events, truth, orgs, samples, started + warmupMs);
    const writesPerSecond = load.events.size / ((Date.now() - started) / 1000);
    return {
      verdict,
      samples,
      writeErrors: load.errors,
      deferredWrites: load.deferred,
      writesPerSecond,
      orgs: orgs.length,
      loadAverage: loadavg(),
      warmupMs,
    };
  } finally {
    for (const client of clients) await client.stop().catch(() => undefined);
    await ask(child, { kind: 'stop' }, 'sample').catch(() => undefined);
    await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  }
}

/** A person clicks "Load older" again when it failed; this many times per page at most. */
const LOAD_OLDER_ATTEMPTS = 3;

/**
 * Pages a client's activity feed back to its first item, as "Load older" does (at most 200 pages).
 * A page that still fails after its retries stops the paging and is recorded with the client's
 * errors, so that the items it would have brought show as lost with the reason beside them.
 */
async function loadWholeFeed(client: SoakClient): Promise<void> {
  const feed = client.core.teamUpdates;
  for (let page = 0; page < 200 && feed.older.getSnapshot().hasOlder; page++) {
    let result = await feed.loadOlder();
    for (let attempt = 1; !result.ok && attempt < LOAD_OLDER_ATTEMPTS; attempt++) result = await feed.loadOlder();
    if (!result.ok) {
      client.errors.push(`loadOlder page ${page + 1} failed ${LOAD_OLDER_ATTEMPTS} times: ${result.error.message}`);
      return;
    }
  }
}
