/**
 * The agents tables of `npm run bench -- agents` (scripts/bench/run.ts runs its `runTable`):
 *
 *   claims/s        claim_next_work on PostgreSQL (PUBDEV_BENCH_POSTGRES_URL, default the local
 *                   server) by 1 and 4 workers, each on its own connection as the agent account
 *                   (RLS applies), draining a queue of 500 items: claims per second and the
 *                   latency of one claim (a transaction: set the claims, claim, commit)
 *   progress →      an agent's progress write through the stack's REST API (supabase-js, signed in
 *   dashboard       as the agent account) → the owner's agents store showing it (the hook's
 *                   snapshot): p50/p99 over 100 writes 30 ms apart, on PGlite, with the database's
 *                   pacing of progress off (every write broadcast); PUBDEV_BENCH_AGENTS_ONLY=progress
 *                   runs this table alone (no PostgreSQL needed)
 *
 * Not a test: numbers vary with the machine; compare rows of one run.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createClient } from '@supabase/supabase-js';
import { openDatabase, prepareDatabase } from '../../local-stack/db/index.ts';
import { startLocalStack } from '../../local-stack/stack.ts';
import { createRealtimeClient } from '../../src/realtime/index.ts';
import { FIXTURE_PASSWORD, ORGS, USERS } from '../../supabase/fixture.ts';
import { fixed, printTable, summarize } from './_stats.ts';

const ORG = ORGS.acme.id;
const QUEUE = 500;
const PROGRESS_WRITES = 100;
const BASE_URL = process.env.PUBDEV_BENCH_POSTGRES_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/postgres';
const AGENT_CLAIMS = JSON.stringify({ sub: USERS.acmeAgent.id, role: 'authenticated', email: USERS.acmeAgent.email });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function databaseUrl(name: string): string {
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drains a queue of QUEUE items with `workers` connections; claims/s and per-claim latencies. */
async function claims(url: string, workers: number): Promise<string[]> {
  const db = await openDatabase({ url });
  const agentId = `bench-${workers}-${randomBytes(3).toString('hex')}`;
  await db.query(
    `insert into public.agent_runs (organization_id, agent_id, status, current_task)
     select $1, $2, 'queued', 'item ' || i from generate_series(1, $3) as i`,
    [ORG, agentId, QUEUE],
  );
  await db.close();
  const latencies: number[] = [];
  const claimed = new Set<string>();
  const worker = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (;;) {
        const began = performance.now();
        await client.query('begin');
        await client.query(
          `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
          [AGENT_CLAIMS],
        );
        const { rows } = await client.query<{ id: string }>('select id from public.claim_next_work($1, $2)', [
          ORG,
          agentId,
        ]);
        await client.query('commit');
        if (rows.length === 0) return;
        latencies.push(performance.now() - began);
        claimed.add(rows[0]!.id);
      }
    } finally {
      await client.end();
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: workers }, worker));
  const seconds = (performance.now() - began) / 1000;
  const { p50, p99 } = summarize(latencies);
  return [
    String(workers),
    String(QUEUE),
    String(claimed.size),
    fixed(claimed.size / seconds, 0),
    fixed(p50, 2),
    fixed(p99, 2),
  ];
}

async function claimTable(): Promise<void> {
  const name = `pubdev_bench_agents_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  try {
    const db = await openDatabase({ url: databaseUrl(name) });
    await prepareDatabase(db);
    await db.close();
    const rows = [await claims(databaseUrl(name), 1), await claims(databaseUrl(name), 4)];
    console.log(
      `claim_next_work on PostgreSQL (${new URL(BASE_URL).host}), as the agent account, draining ${QUEUE} items:\n`,
    );
    printTable(['workers', 'queued', 'claimed once', 'claims/s', 'claim p50 ms', 'claim p99 ms'], rows);
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function progressTable(): Promise<void> {
  const db = await openDatabase();
  await prepareDatabase(db);
  // The path's own latency: every progress write broadcast (the database's pacing of progress, at
  // most one broadcast a second per run, would hold back the writes 30 ms apart; its effect is the
  // capacity table's).
  await db.exec(
    `create or replace function private.agent_progress_interval() returns interval language sql stable
       set search_path = '' as $$ select interval '0' $$`,
  );
  const stack = await startLocalStack({ port: 0 }, { db });
  const signIn = async (email: string) => {
    const client = createClient(stack.url, stack.config.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
    });
    const { error } = await client.auth.signInWithPassword({ email, password: FIXTURE_PASSWORD });
    if (error) throw error;
    return client;
  };
  const agent = await signIn(USERS.acmeAgent.email);
  const owner = await signIn(USERS.acmeOwner.email);
  await owner
    .from('agent_runs')
    .insert({ organization_id: ORG, agent_id: 'bench-progress', status: 'queued', current_task: 'Bench' });
  const { data } = await agent.rpc('claim_next_work', { organization_id: ORG, agent_id: 'bench-progress' });
  const runId = (data as { id: string }[])[0]!.id;
  const core = createRealtimeClient({ supabase: owner, organizationId: ORG, catchUpIntervalMs: 3_600_000 });
  const samples: number[] = [];
  let expected = -1;
  let writtenAt = 0;
  let arrived: (() => void) | undefined;
  const stop = core.agents.subscribe(() => {
    const run = core.agents.getSnapshot().find((r) => r.runId === runId);
    if (run?.progress?.progress !== expected || !arrived) return;
    samples.push(performance.now() - writtenAt);
    arrived();
    arrived = undefined;
  });
  while (!core.agents.getSnapshot().some((r) => r.runId === runId)) await sleep(20);
  await sleep(300);
  for (let i = 1; i <= PROGRESS_WRITES; i++) {
    // 30 ms apart, as an agent reports; back to back they would measure the per-frame coalescing.
    await sleep(30);
    expected = i % 100;
    await new Promise<void>((resolve, reject) => {
      // A write that fails or never shows ends the bench with what the store held, not a silent hang.
      const timer = setTimeout(() => {
        const shown = core.agents.getSnapshot().find((r) => r.runId === runId);
        reject(new Error(`progress ${expected} (write ${i}) not shown within 10 s; shown: ${JSON.stringify(shown)}`));
      }, 10_000);
      arrived = () => {
        clearTimeout(timer);
        resolve();
      };
      writtenAt = performance.now();
      void agent
        .from('agent_runs')
        .update({ progress: expected, current_task: `step ${i}` })
        .eq('id', runId)
        .then(({ error }) => {
          if (!error) return;
          clearTimeout(timer);
          reject(new Error(`progress write ${i} failed: ${error.message}`));
        });
    });
  }
  stop();
  await core.dispose();
  await owner.removeAllChannels();
  await stack.stop();
  await db.close();
  const { n, p50, p99 } = summarize(samples);
  console.log(
    '\nAn agent’s progress write (REST, as the agent account) → the owner’s agents store (PGlite stack, progress pacing off):\n',
  );
  printTable(
    ['path', 'n', 'p50 ms', 'p99 ms'],
    [['progress write → dashboard store', String(n), fixed(p50, 2), fixed(p99, 2)]],
  );
}

/** Prints the agents tables. */
export async function runTable(): Promise<void> {
  if (process.env.PUBDEV_BENCH_AGENTS_ONLY === 'progress') return progressTable();
  await claimTable();
  await progressTable();
}
