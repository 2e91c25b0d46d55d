/**
 * Helpers for the Realtime suites: a stack per test file, supabase-js clients on either vsn,
 * promise-returning listeners, and a raw `ws` socket for frames no real client would send.
 */
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import {
  startLocalStack,
  systemClock,
  type Clock,
  type LocalStack,
  type RealtimeLimits,
} from '../../local-stack/index.ts';
import { Inbox } from './inbox.ts';
import { signFixtureToken, type FixtureUser } from './tokens.ts';
import { createTestDatabase, type Backend, type TestDatabase } from '../_db.ts';

export type Vsn = '1.0.0' | '2.0.0';
export const VSNS: readonly Vsn[] = ['2.0.0', '1.0.0'];

export interface RealtimeStack {
  stack: LocalStack;
  database: TestDatabase;
  /** Every client made by {@link RealtimeStack.client}, closed by {@link RealtimeStack.closeClients}. */
  client(options?: ClientOptions): SupabaseClient;
  /**
   * A client whose channel token is a fixture user's, fetched before the first join: as Supabase's
   * docs advise for private channels (`await supabase.realtime.setAuth()`), since realtime-js
   * otherwise pushes the first join before its async `accessToken` callback has answered.
   */
  userClient(user: FixtureUser, options?: Omit<ClientOptions, 'accessToken'>): Promise<SupabaseClient>;
  closeClients(): Promise<void>;
  /** A fixture user's access token, signed with the stack's secret; `ttlSeconds` from now. */
  token(user: FixtureUser, ttlSeconds?: number): Promise<string>;
  stop(): Promise<void>;
}

interface ClientOptions {
  vsn?: Vsn;
  /** The apikey; the anon key by default. */
  key?: string;
  /** Feeds the channel token through supabase-js's `accessToken` option. */
  accessToken?: () => Promise<string>;
  /** Push/join timeout, for tests that expect "timed out". */
  timeout?: number;
  heartbeatIntervalMs?: number;
  heartbeatCallback?: (status: string) => void;
  /** realtime-js's `logger`: sees every frame the client receives (`kind` "receive"). */
  logger?: (kind: string, msg: string, data?: unknown) => void;
}

export async function startRealtimeStack(
  backend: Backend,
  realtime: Partial<RealtimeLimits> = {},
  log?: (message: string) => void,
  /**
   * The stack's clock, for tests that move time instead of waiting (see ManualClock). A bare
   * `now` function is still taken (it then drives the counters only; timers run on real time).
   */
  clockOrNow?: Clock | (() => number),
): Promise<RealtimeStack> {
  const clock = typeof clockOrNow === 'function' ? { ...systemClock, now: clockOrNow } : clockOrNow;
  const database = await createTestDatabase(backend);
  const stack = await startLocalStack(
    { port: 0, realtime: { joinErrorDelayMs: 0, connectErrorDelayMs: 0, ...realtime } },
    { db: database.db, ...(log ? { log } : {}), ...(clock ? { clock } : {}) },
  );
  const clients: SupabaseClient[] = [];
  const rt: RealtimeStack = {
    stack,
    database,
    client(options = {}) {
      const client = createClient(stack.url, options.key ?? stack.config.anonKey, {
        // realtime-js's codec is picked by its own `vsn` option; `params.vsn` would only change the URL.
        realtime: {
          vsn: options.vsn ?? '2.0.0',
          ...(options.timeout ? { timeout: options.timeout } : {}),
          ...(options.heartbeatIntervalMs ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
          ...(options.heartbeatCallback ? { heartbeatCallback: options.heartbeatCallback } : {}),
          ...(options.logger ? { logger: options.logger } : {}),
        },
        auth: { persistSession: false, autoRefreshToken: false },
        ...(options.accessToken ? { accessToken: options.accessToken } : {}),
      });
      clients.push(client);
      return client;
    },
    async userClient(user, options = {}) {
      const token = await signFixtureToken(stack.config.jwtSecret, user, 3600);
      const client = rt.client({ ...options, accessToken: async () => token });
      await client.realtime.setAuth();
      return client;
    },
    async closeClients() {
      const all = clients.splice(0);
      await Promise.all(all.map((c) => c.removeAllChannels()));
      for (const c of all) c.realtime.disconnect();
    },
    token(user, ttlSeconds = 3600) {
      return signFixtureToken(stack.config.jwtSecret, user, ttlSeconds);
    },
    async stop() {
      await rt.closeClients();
      await stack.stop();
      await database.dispose();
    },
  };
  return rt;
}

export interface BroadcastMessage {
  type: 'broadcast';
  event: string;
  payload: unknown;
  meta?: { id?: string; replayed?: boolean };
}

/** Every broadcast the channel receives (register before subscribing). */
export function broadcasts(channel: RealtimeChannel, event = '*'): Inbox<BroadcastMessage> {
  const inbox = new Inbox<BroadcastMessage>();
  channel.on('broadcast', { event }, (message) => inbox.push(message as BroadcastMessage));
  return inbox;
}

export interface SystemMessage {
  extension: string;
  status: string;
  message: string;
  channel?: string;
}

export function systemMessages(channel: RealtimeChannel): Inbox<SystemMessage> {
  const inbox = new Inbox<SystemMessage>();
  channel.on('system', {}, (message) => inbox.push(message as SystemMessage));
  return inbox;
}

export type Status = { status: 'SUBSCRIBED' | 'CHANNEL_ERROR' | 'TIMED_OUT' | 'CLOSED'; error?: string };

/** Subscribes; the inbox records every status callback (realtime-js may call it many times). */
export function subscribe(channel: RealtimeChannel): Inbox<Status> {
  const inbox = new Inbox<Status>();
  channel.subscribe((status, error) => inbox.push(error ? { status, error: error.message } : { status }));
  return inbox;
}

/** Subscribes and resolves with the first status. */
export function firstStatus(channel: RealtimeChannel): Promise<Status> {
  return subscribe(channel).next(undefined, 'a subscribe status');
}

export async function joined(channel: RealtimeChannel): Promise<Inbox<Status>> {
  const statuses = subscribe(channel);
  const first = await statuses.next(undefined, 'a subscribe status');
  if (first.status !== 'SUBSCRIBED') throw new Error(`expected SUBSCRIBED, got ${JSON.stringify(first)}`);
  return statuses;
}

type RawFrame = { kind: 'text'; value: unknown } | { kind: 'binary'; value: Buffer };

/** A bare `ws` socket speaking the wire protocol, for frames the real clients never send. */
export interface RawSocket {
  ws: WebSocket;
  frames: Inbox<RawFrame>;
  closed: Promise<{ code: number; reason: string }>;
  send(data: string | Buffer): void;
  /** A V2 array frame. */
  push(joinRef: string | null, ref: string | null, topic: string, event: string, payload: unknown): void;
  /** The reply to `ref`. */
  reply(ref: string): Promise<{ status: string; response: unknown }>;
  close(): void;
}

export async function rawSocket(stack: LocalStack, query: Record<string, string> = {}): Promise<RawSocket> {
  const url = new URL(`${stack.url.replace('http', 'ws')}/realtime/v1/websocket`);
  for (const [k, v] of Object.entries({ apikey: stack.config.anonKey, vsn: '2.0.0', ...query }))
    url.searchParams.set(k, v);
  const ws = new WebSocket(url);
  const frames = new Inbox<RawFrame>();
  ws.on('message', (data, isBinary) => {
    const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
    frames.push(
      isBinary
        ? { kind: 'binary', value: buffer }
        : { kind: 'text', value: JSON.parse(buffer.toString('utf8')) as unknown },
    );
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return {
    ws,
    frames,
    closed,
    send(data) {
      ws.send(data);
    },
    push(joinRef, ref, topic, event, payload) {
      ws.send(JSON.stringify([joinRef, ref, topic, event, payload]));
    },
    async reply(ref) {
      const frame = await frames.next(
        (f) => f.kind === 'text' && Array.isArray(f.value) && f.value[1] === ref && f.value[3] === 'phx_reply',
        `the reply to ref ${ref}`,
      );
      return (frame.value as unknown[])[4] as { status: string; response: unknown };
    },
    close() {
      ws.close();
    },
  };
}

/** The HTTP refusal of an upgrade: status and JSON body (§1.2). */
export async function refusedUpgrade(
  stack: LocalStack,
  query: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const url = new URL(`${stack.url.replace('http', 'ws')}/realtime/v1/websocket`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const ws = new WebSocket(url, { headers });
  ws.on('error', () => {});
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    ws.once('open', () => {
      ws.close();
      reject(new Error('upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
  });
}

export { ManualClock } from './clock.ts';
export { Inbox } from './inbox.ts';
export { signFixtureToken } from './tokens.ts';
