/**
 * The client side of the fan-out bench, in a worker thread so that it does not share an event
 * loop with the servers it measures: N raw Phoenix (vsn 2.0.0) subscribers and one publisher, or
 * bare sockets against the baseline server. Commands come from the parent; each run answers with
 * what arrived and the latency percentiles.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { percentile } from './_stats.ts';

export interface ClientsSetup {
  /** ws:// URL including query (apikey, vsn) for the stack; any path for the baseline. */
  url: string;
  /** Phoenix joins for the stack; none for the baseline, which forwards to every socket. */
  phoenix: boolean;
  topic: string;
  private: boolean;
  /** Join access_token of subscribers and publisher (private channels). */
  token?: string;
  subscribers: number;
}

export type Command =
  | { kind: 'connect' }
  | { kind: 'run'; rate: number; seconds: number; publisher: 'binary' | 'text' }
  | { kind: 'close' };

export interface RunResult {
  expected: number;
  delivered: number;
  /** Deliveries per second from the first send to the last delivery. */
  throughput: number;
  p50: number;
  p99: number;
}

const setup = workerData as ClientsSetup;
const now = () => performance.timeOrigin + performance.now();
const MARK = Buffer.from('"t":');
/** What pads a payload to 1 KB (with the stamp and the JSON around it). */
const PAD = 'x'.repeat(1000);
/** How long a run waits for stragglers after its last send before counting them lost. */
const DRAIN_MS = 3000;

let subscribers: WebSocket[] = [];
let publisher: WebSocket | undefined;
let latencies = new Float64Array(0);
let delivered = 0;
let lastDelivery = 0;
let onDelivered: (() => void) | undefined;
let heartbeat: NodeJS.Timeout | undefined;
/** Under the stack's 60 s idle timeout, as realtime-js's 25 s heartbeat is. */
const HEARTBEAT_MS = 20_000;

/** The send time stamped in a frame: the number after the first `"t":`, read without parsing the JSON. */
function stampOf(data: Buffer): number {
  const at = data.indexOf(MARK);
  if (at < 0) return Number.NaN;
  let end = at + MARK.length;
  while (end < data.length && data[end] !== 0x2c && data[end] !== 0x7d) end++;
  return Number(data.toString('latin1', at + MARK.length, end));
}

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(setup.url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function join(ws: WebSocket): Promise<void> {
  if (!setup.phoenix) return;
  const topic = `realtime:${setup.topic}`;
  const payload = {
    config: { private: setup.private, broadcast: { self: false } },
    ...(setup.token ? { access_token: setup.token } : {}),
  };
  await new Promise<void>((resolve, reject) => {
    const onMessage = (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as unknown[];
      if (frame[1] !== 'join' || frame[3] !== 'phx_reply') return;
      ws.off('message', onMessage);
      const reply = frame[4] as { status: string; response: unknown };
      if (reply.status === 'ok') resolve();
      else reject(new Error(`join refused: ${JSON.stringify(reply.response)}`));
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify(['j', 'join', topic, 'phx_join', payload]));
  });
}

/** When the current run began: a frame sent before it is a straggler of the run before, not counted. */
let runStart = 0;

function receive(data: Buffer): void {
  const sent = stampOf(data);
  if (Number.isNaN(sent) || sent < runStart) return;
  const at = now();
  if (delivered < latencies.length) latencies[delivered] = at - sent;
  delivered += 1;
  lastDelivery = at;
  if (delivered >= latencies.length) onDelivered?.();
}

async function connect(): Promise<void> {
  // In batches: a thousand simultaneous handshakes would measure the accept queue, not the fan-out.
  for (let i = 0; i < setup.subscribers; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, setup.subscribers - i) }, open));
    await Promise.all(batch.map(join));
    subscribers.push(...batch);
  }
  for (const ws of subscribers) ws.on('message', (data: Buffer) => receive(data));
  publisher = await open();
  await join(publisher);
  if (setup.phoenix) {
    heartbeat = setInterval(() => {
      for (const ws of [...subscribers, publisher!]) ws.send('[null,"hb","phoenix","heartbeat",{}]');
    }, HEARTBEAT_MS);
  }
}

function frameFor(kind: 'binary' | 'text', stamp: number, ref: number): Buffer | string {
  const payload = `{"t":${stamp.toFixed(3)},"pad":"${PAD}"}`;
  const topic = `realtime:${setup.topic}`;
  if (kind === 'text')
    return `[null,"${ref}",${JSON.stringify(topic)},"broadcast",{"type":"broadcast","event":"tick","payload":${payload}}]`;
  // Kind 3, a user broadcast push with a JSON payload (§1.4.3).
  const parts = ['', String(ref), topic, 'tick', ''].map((s) => Buffer.from(s, 'utf8'));
  const header = Buffer.from([
    3,
    parts[0]!.length,
    parts[1]!.length,
    parts[2]!.length,
    parts[3]!.length,
    parts[4]!.length,
    1,
  ]);
  return Buffer.concat([header, ...parts, Buffer.from(payload, 'utf8')]);
}

async function run(rate: number, seconds: number, kind: 'binary' | 'text'): Promise<RunResult> {
  const messages = Math.round(rate * seconds);
  const expected = messages * setup.subscribers;
  latencies = new Float64Array(expected);
  delivered = 0;
  const done = new Promise<void>((resolve) => {
    onDelivered = resolve;
  });
  const start = now();
  runStart = start;
  for (let i = 0; i < messages; i++) {
    // Paced on absolute times so that a late tick does not slow the whole run down.
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    publisher!.send(frameFor(kind, now(), i));
  }
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, DRAIN_MS))]);
  onDelivered = undefined;
  const sorted = latencies.subarray(0, Math.min(delivered, expected)).sort();
  return {
    expected,
    delivered,
    throughput: delivered / ((lastDelivery - start) / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

parentPort!.on('message', (command: Command) => {
  const reply = (value: unknown) => parentPort!.postMessage(value);
  const fail = (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) });
  switch (command.kind) {
    case 'connect':
      connect().then(() => reply({ ok: true }), fail);
      return;
    case 'run':
      run(command.rate, command.seconds, command.publisher).then(reply, fail);
      return;
    case 'close':
      clearInterval(heartbeat);
      for (const ws of [...subscribers, ...(publisher ? [publisher] : [])]) ws.terminate();
      subscribers = [];
      publisher = undefined;
      reply({ ok: true });
  }
});
