/**
 * Fan-out capacity at a latency target: 1000 raw Phoenix subscribers (vsn 2.0.0) of the local
 * Realtime, beside a minimal `ws` broadcast server (the ceiling: it forwards each frame to every
 * socket and does nothing else) measured in the same run with the same client code.
 *
 *   configuration   public and private channels (private: RLS read at join, write check on the
 *                   publisher) × binary (vsn 2.0.0 kind 3) and text (a JSON `broadcast` push)
 *                   publishers; the baseline with binary and text frames
 *   sweep           the publisher's rate doubles from 25 msg/s (1 KB payloads) until p99 passes
 *                   100 ms or a message is lost, then three bisections between the last rate that
 *                   held and the first that did not
 *
 * For each configuration: the highest rate whose p99 stayed under 100 ms, its ratio to the
 * baseline's (target ≥ 0.9×), and the throughput at saturation (deliveries/s at the first failing
 * rate of the doubling) with its ratio (target ≥ 0.95×). Bounded (1.5 s per step, 3 s drain at
 * most), 127.0.0.1 only. The clients run in a worker thread; on a shared machine the numbers move
 * with whatever else runs: compare rows of one run.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { WebSocketServer } from 'ws';
import { activityTopic } from '../../src/contract/index.ts';
import { fixture, signJwt, startLocalStack, type LocalStack } from '../../local-stack/index.ts';
import type { ClientsSetup, Command, RunResult } from './_fanout-clients.ts';
import { fixed, printTable } from './_stats.ts';

const SUBSCRIBERS = 1000;
const PUBLISHERS = ['binary', 'text'] as const;
const CHANNELS = ['baseline', 'public', 'private'] as const;
const SECONDS = 1.5;
/** The latency target: a rate "holds" while p99 stays under it and nothing is lost. */
const P99_TARGET_MS = 100;
const FIRST_RATE = 25;
const BISECTIONS = 3;

type Channel = (typeof CHANNELS)[number];
type Publisher = (typeof PUBLISHERS)[number];
interface Sweep {
  channel: Channel;
  publisher: Publisher;
  /** Highest rate (msg/s) that held; 0 when even the first did not. */
  capacity: number;
  capacityRun: RunResult | undefined;
  /** The first failing rate of the doubling and what it delivered (saturation). */
  saturation: { rate: number; run: RunResult } | undefined;
  steps: number;
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

async function ownerToken(stack: LocalStack): Promise<string> {
  const { id, email } = fixture.USERS.acmeOwner;
  const now = Math.floor(Date.now() / 1000);
  return signJwt(
    { sub: id, email, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 3600 },
    stack.config.jwtSecret,
  );
}

const holds = (run: RunResult) => run.delivered >= run.expected && run.p99 < P99_TARGET_MS;

/** Doubling until a rate fails, then bisection: the highest rate that held, and saturation. */
async function sweep(clients: Clients, channel: Channel, publisher: Publisher): Promise<Sweep> {
  const run = (rate: number) => clients.send<RunResult>({ kind: 'run', rate, seconds: SECONDS, publisher });
  const result: Sweep = { channel, publisher, capacity: 0, capacityRun: undefined, saturation: undefined, steps: 0 };
  let rate = FIRST_RATE;
  for (;;) {
    const outcome = await run(rate);
    result.steps += 1;
    process.stdout.write('.');
    if (!holds(outcome)) {
      result.saturation = { rate, run: outcome };
      break;
    }
    result.capacity = rate;
    result.capacityRun = outcome;
    rate *= 2;
  }
  let low = result.capacity;
  let high = result.saturation.rate;
  for (let i = 0; i < BISECTIONS; i++) {
    const middle = Math.round((low + high) / 2);
    if (middle <= low || middle >= high) break;
    const outcome = await run(middle);
    result.steps += 1;
    process.stdout.write('.');
    if (holds(outcome)) {
      low = middle;
      result.capacity = middle;
      result.capacityRun = outcome;
    } else {
      high = middle;
    }
  }
  return result;
}

function printSweepTable(sweeps: readonly Sweep[]): void {
  const header = [
    'channel',
    'publisher',
    `max msg/s (p99 < ${P99_TARGET_MS} ms)`,
    'p99 ms',
    '× raw',
    'saturation deliveries/s',
    '× raw',
    'target',
  ];
  const body = sweeps.map((row) => {
    const base = sweeps.find((r) => r.channel === 'baseline' && r.publisher === row.publisher);
    const rateRatio = base ? row.capacity / base.capacity : Number.NaN;
    const thrRatio =
      base?.saturation && row.saturation ? row.saturation.run.throughput / base.saturation.run.throughput : Number.NaN;
    const raw = row.channel === 'baseline';
    const target = raw ? '' : rateRatio >= 0.9 && thrRatio >= 0.95 ? 'met' : 'MISSED';
    return [
      row.channel,
      row.publisher,
      String(row.capacity),
      fixed(row.capacityRun?.p99 ?? Number.NaN, 1),
      raw ? '' : fixed(rateRatio, 2),
      fixed(row.saturation?.run.throughput ?? Number.NaN, 0),
      raw ? '' : fixed(thrRatio, 2),
      target,
    ];
  });
  printTable(header, body);
}

export async function runTable(): Promise<void> {
  console.log(
    `\nFan-out capacity at p99 < ${P99_TARGET_MS} ms: ${SUBSCRIBERS} subscribers, 1 KB payloads, ${SECONDS} s per step (doubling from ${FIRST_RATE} msg/s, then ${BISECTIONS} bisections); ratios against the raw ws server of the same run`,
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
  const sweeps: Sweep[] = [];
  try {
    const token = await ownerToken(stack);
    const stackUrl = `${stack.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${stack.config.anonKey}&vsn=2.0.0`;
    const setups: Record<Channel, ClientsSetup> = {
      baseline: { url: baseline.url, phoenix: false, topic: 'bench', private: false, subscribers: SUBSCRIBERS },
      public: { url: stackUrl, phoenix: true, topic: 'bench-public', private: false, subscribers: SUBSCRIBERS },
      private: {
        url: stackUrl,
        phoenix: true,
        topic: activityTopic(fixture.ORGS.acme.id),
        private: true,
        token,
        subscribers: SUBSCRIBERS,
      },
    };
    // One configuration's clients at a time: 3000 idle sockets would load the machine for the others.
    for (const channel of CHANNELS) {
      const clients = new Clients(setups[channel]);
      try {
        await clients.send({ kind: 'connect' });
        for (const publisher of PUBLISHERS) sweeps.push(await sweep(clients, channel, publisher));
      } finally {
        await clients.stop();
      }
    }
  } finally {
    console.log('');
    await baseline.close();
    await stack.stop();
  }
  printSweepTable(sweeps);
}
