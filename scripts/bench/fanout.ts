/**
 * Fan-out at saturation: one publisher → N raw Phoenix subscribers (vsn 2.0.0) of the local
 * Realtime, beside a minimal `ws` broadcast server (the ceiling: it forwards each frame to every
 * socket and does nothing else) measured in the same run with the same clients.
 *
 *   subscribers   100, 500, 1000
 *   rate          20 and 100 messages/s from the publisher, 1 KB JSON payloads
 *   publisher     binary (vsn 2.0.0 kind 3) and text (a JSON `broadcast` push)
 *   channel       public, and private (RLS read at join, write check on the publisher)
 *
 * Each row gives deliveries/expected, throughput (deliveries/s from the first send to the last
 * delivery), p50/p99 latency, and the ratios to the baseline row of the same size, rate and
 * publisher. Target at 1000 × 100/s: throughput ≥ 0.95× and p99 ≤ 2× the baseline.
 *
 * Bounded (1.5 s per run, best of two, 3 s drain at most), 127.0.0.1 only. The clients run in a worker thread; on a
 * shared machine the numbers move with whatever else runs: compare rows of one run.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { WebSocketServer } from 'ws';
import { activityTopic } from '../../src/contract/index.ts';
import { fixture, signJwt, startLocalStack, type LocalStack } from '../../local-stack/index.ts';
import type { ClientsSetup, Command, RunResult } from './_fanout-clients.ts';
import { fixed, printTable, ratio } from './_stats.ts';

const SIZES = [100, 500, 1000] as const;
const RATES = [20, 100] as const;
const PUBLISHERS = ['binary', 'text'] as const;
const SECONDS = 1.5;
/**
 * RATIONALE: each row is run this many times, interleaved with its baseline, and the run with the
 * lower p99 kept — for the baseline as for the stack. On a shared two-core machine one run of a
 * saturated row swings by ±40% with whatever else runs; the best of two filters most of that.
 */
const REPEATS = 2;

type Channel = 'baseline' | 'public' | 'private';
interface Row extends RunResult {
  size: number;
  rate: number;
  publisher: (typeof PUBLISHERS)[number];
  channel: Channel;
}

class Clients {
  private readonly worker: Worker;
  private pending: ((value: unknown) => void) | undefined;

  constructor(setup: ClientsSetup) {
    this.worker = new Worker(new URL('./_fanout-clients.ts', import.meta.url), { workerData: setup });
    this.worker.on('message', (value: unknown) => this.pending?.(value));
  }

  async send<T>(command: Command): Promise<T> {
    const answer = await new Promise<unknown>((resolve) => {
      this.pending = resolve;
      this.worker.postMessage(command);
    });
    if (typeof answer === 'object' && answer !== null && 'error' in answer) throw new Error(String(answer.error));
    return answer as T;
  }

  async stop(): Promise<void> {
    await this.send({ kind: 'close' });
    await this.worker.terminate();
  }
}

/** The ceiling: every frame a socket sends goes, unchanged, to every other socket. */
async function startBaseline(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => {
      for (const client of wss.clients) if (client !== ws) client.send(data, { binary: isBinary });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * One size: the baseline, public and private client sets are connected together, and each row is
 * run on the three back to back, so that the load of a shared machine drifts as little as possible
 * between a row and its baseline.
 */
async function measure(setups: ReadonlyArray<{ channel: Channel; setup: ClientsSetup }>, rows: Row[]): Promise<void> {
  const sets = setups.map(({ channel, setup }) => ({ channel, size: setup.subscribers, clients: new Clients(setup) }));
  try {
    for (const set of sets) await set.clients.send({ kind: 'connect' });
    for (const rate of RATES) {
      for (const publisher of PUBLISHERS) {
        const best = new Map<Channel, RunResult>();
        for (let repeat = 0; repeat < REPEATS; repeat++) {
          for (const { channel, clients } of sets) {
            const result = await clients.send<RunResult>({ kind: 'run', rate, seconds: SECONDS, publisher });
            const kept = best.get(channel);
            if (!kept || result.p99 < kept.p99) best.set(channel, result);
            process.stdout.write('.');
          }
        }
        for (const { channel, size } of sets) rows.push({ ...best.get(channel)!, size, rate, publisher, channel });
      }
    }
  } finally {
    for (const set of sets) await set.clients.stop();
  }
}

async function ownerToken(stack: LocalStack): Promise<string> {
  const { id, email } = fixture.USERS.acmeOwner;
  const now = Math.floor(Date.now() / 1000);
  return signJwt(
    { sub: id, email, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 3600 },
    stack.config.jwtSecret,
  );
}

function printFanOutTable(rows: Row[]): void {
  const header = [
    'subs',
    'msg/s',
    'publisher',
    'channel',
    'delivered',
    'thr/s',
    'p50 ms',
    'p99 ms',
    'thr ×',
    'p50 ×',
    'p99 ×',
    'target',
  ];
  const body = rows.map((row) => {
    const base = rows.find(
      (r) => r.channel === 'baseline' && r.size === row.size && r.rate === row.rate && r.publisher === row.publisher,
    );
    const thr = base ? row.throughput / base.throughput : Number.NaN;
    const p99 = base ? row.p99 / base.p99 : Number.NaN;
    const checked = row.channel !== 'baseline' && row.size === 1000 && row.rate === 100;
    const target = !checked ? '' : thr >= 0.95 && p99 <= 2 ? 'met' : 'MISSED';
    const againstBase = (value: number, baseValue: number | undefined) =>
      row.channel === 'baseline' ? '' : ratio(value, baseValue ?? Number.NaN);
    return [
      String(row.size),
      String(row.rate),
      row.publisher,
      row.channel,
      `${row.delivered}/${row.expected}`,
      fixed(row.throughput, 0),
      fixed(row.p50, 2),
      fixed(row.p99, 2),
      againstBase(row.throughput, base?.throughput),
      againstBase(row.p50, base?.p50),
      againstBase(row.p99, base?.p99),
      target,
    ];
  });
  printTable(header, body);
}

export async function runTable(): Promise<void> {
  console.log(
    `\nFan-out at saturation (1 KB payloads, best of ${REPEATS} runs of ${SECONDS} s per row; ratios against the raw ws server of the same row)`,
  );
  const stack = await startLocalStack({
    host: '127.0.0.1',
    port: 0,
    // Limits out of the way: this measures the fan-out, not the limiter. Public rows need the
    // private-only default off.
    realtime: {
      maxConcurrentUsers: 5000,
      maxJoinsPerSecond: 1_000_000,
      maxEventsPerSecond: 100_000_000,
      joinErrorDelayMs: 0,
      connectErrorDelayMs: 0,
      privateOnly: false,
    },
  });
  const baseline = await startBaseline();
  const rows: Row[] = [];
  try {
    const token = await ownerToken(stack);
    const stackUrl = `${stack.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${stack.config.anonKey}&vsn=2.0.0`;
    const privateTopic = activityTopic(fixture.ORGS.acme.id);
    for (const size of SIZES) {
      await measure(
        [
          {
            channel: 'baseline',
            setup: { url: baseline.url, phoenix: false, topic: 'bench', private: false, subscribers: size },
          },
          {
            channel: 'public',
            setup: { url: stackUrl, phoenix: true, topic: `bench-${size}`, private: false, subscribers: size },
          },
          {
            channel: 'private',
            setup: { url: stackUrl, phoenix: true, topic: privateTopic, private: true, token, subscribers: size },
          },
        ],
        rows,
      );
    }
  } finally {
    console.log('');
    await baseline.close();
    await stack.stop();
  }
  rows.sort(
    (a, b) =>
      a.size - b.size ||
      a.rate - b.rate ||
      a.publisher.localeCompare(b.publisher) ||
      a.channel.localeCompare(b.channel),
  );
  printFanOutTable(rows);
}
