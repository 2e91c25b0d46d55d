/**
 * A user's realtime core (the product's client, over supabase-js) with every store kept active,
 * and what a reliability test needs to judge it: each live delivery counted by message id, live
 * agent updates checked for order, the heartbeat log, and a comparison of what the stores show
 * with what the tables hold (the ground truth, read as that user).
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { createRealtimeClient, type ReadableStore, type RealtimeClient } from '../../src/realtime/index.ts';
import { FIXTURE_PASSWORD, ORGS, USERS } from '../../supabase/fixture.ts';
import { LOCAL_ANON_KEY } from '../../local-stack/keys.ts';

export type FixtureUserName = keyof typeof USERS;
/** realtime-js: `sent`, `ok`, `error`, `timeout`, `disconnected`. */
type HeartbeatStatus = string;

export interface ObservedClientOptions {
  /** realtime-js heartbeat interval; the client declares a socket dead one interval after an unanswered one. */
  readonly heartbeatIntervalMs?: number;
  /** realtime-js reconnect delay (the default steps 1 s, 2 s, 5 s, 10 s). */
  readonly reconnectAfterMs?: number;
  readonly catchUpIntervalMs?: number;
  readonly organizationId?: string;
  /** Abort each REST/Auth request of the client after this long (see {@link fetchWithTimeout}). */
  readonly requestTimeoutMs?: number;
  /** Where the ground truth is read (default: `url`); the stack itself when `url` is a faulty proxy. */
  readonly truthUrl?: string;
}

export interface ObservedClient {
  readonly user: FixtureUserName;
  readonly core: RealtimeClient;
  readonly supabase: SupabaseClient;
  /** The same user on its own connection to the stack, for reading the ground truth. */
  readonly truth: SupabaseClient;
  /** Heartbeat statuses in the order realtime-js reported them. */
  readonly heartbeats: HeartbeatStatus[];
  /** Live deliveries (broadcasts the core accepted) per message id. */
  readonly live: Map<string, number>;
  /** Live agent updates that arrived with a seq not above the last live one of their run. */
  readonly outOfOrder: string[];
  stop(): Promise<void>;
}

/**
 * A fetch that gives up after `ms`. RATIONALE: a request sent on a pooled keep-alive connection
 * that the network has silently dropped gets no answer and no error until undici's 300 s
 * headers timeout; the core's backfill runs one read at a time, so one such read holds every
 * backfill back for five minutes.
 */
function fetchWithTimeout(ms: number): typeof fetch {
  return (input, init) => {
    const signal = init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms);
    return fetch(input, { ...init, signal });
  };
}

export async function observedClient(
  url: string,
  user: FixtureUserName,
  options: ObservedClientOptions = {},
): Promise<ObservedClient> {
  const heartbeats: HeartbeatStatus[] = [];
  const signIn = async (client: SupabaseClient) => {
    const { error } = await client.auth.signInWithPassword({ email: USERS[user].email, password: FIXTURE_PASSWORD });
    if (error) throw error;
  };
  const truth = createClient(options.truthUrl ?? url, LOCAL_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false, storageKey: `sb-truth-${user}` },
  });
  await signIn(truth);
  const supabase = createClient(url, LOCAL_ANON_KEY, {
    ...(options.requestTimeoutMs ? { global: { fetch: fetchWithTimeout(options.requestTimeoutMs) } } : {}),
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false, storageKey: `sb-${user}` },
    realtime: {
      // RATIONALE: Node's built-in WebSocket (undici) may send its upgrade over a pooled keep-alive
      // connection; when the network has silently dropped that connection the socket stays
      // CONNECTING for good (realtime-js has no connect timeout). `ws` opens a connection of its
      // own per socket, as browsers do.
      transport: WebSocket as unknown as typeof globalThis.WebSocket,
      ...(options.heartbeatIntervalMs ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
      ...(options.reconnectAfterMs !== undefined ? { reconnectAfterMs: () => options.reconnectAfterMs! } : {}),
      heartbeatCallback: (status: HeartbeatStatus) => void heartbeats.push(status),
    },
  });
  await signIn(supabase);
  const core = createRealtimeClient({
    supabase,
    organizationId: options.organizationId ?? ORGS.acme.id,
    channelGraceMs: 50,
    ...(options.catchUpIntervalMs ? { catchUpIntervalMs: options.catchUpIntervalMs } : {}),
  });
  const live = new Map<string, number>();
  const outOfOrder: string[] = [];
  const lastSeq = new Map<string, number>();
  const stops = [
    core.onMessage((message) => {
      live.set(message.id, (live.get(message.id) ?? 0) + 1);
      if (message.type === 'agent_status' && message.data.runId) {
        const runId = message.data.runId;
        const previous = lastSeq.get(runId) ?? -1;
        if (message.seq <= previous) outOfOrder.push(`${runId}: seq ${message.seq} after ${previous}`);
        lastSeq.set(runId, Math.max(previous, message.seq));
      }
    }),
    ...[core.agents, core.teamUpdates, core.notifications, core.publishers].map((store: ReadableStore<unknown>) =>
      store.subscribe(() => undefined),
    ),
  ];
  return {
    user,
    core,
    supabase,
    truth,
    heartbeats,
    live,
    outOfOrder,
    async stop() {
      for (const stop of stops) stop();
      await core.dispose();
      await supabase.removeAllChannels();
    },
  };
}

/** What the tables hold for one user (read as that user, so RLS decides), in the stores' order. */
export interface Truth {
  readonly teamUpdates: readonly string[];
  readonly notifications: readonly string[];
  /** runId → seq. */
  readonly runs: ReadonlyMap<string, number>;
  /** publisherId → version. */
  readonly publishers: ReadonlyMap<string, number>;
}

/** Items a feed of the core keeps (src/realtime feed.ts DEFAULT_FEED_CAP); suites stay below it. */
const FEED_CAP = 500;

/** Newest first by millisecond, ties by id descending: the order every feed of the core shows. */
function feedOrder(rows: readonly { id: string; created_at: string }[]): string[] {
  if (rows.length >= FEED_CAP) throw new Error(`the suite wrote ${rows.length} rows: above the feed's ${FEED_CAP}`);
  return rows
    .map((r) => ({ id: r.id, at: Date.parse(r.created_at) }))
    .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((r) => r.id);
}

async function readTruth(client: ObservedClient): Promise<Truth> {
  const org = client.core.organizationId;
  const db = client.truth;
  const [updates, notes, runs, publishers] = await Promise.all([
    db.from('team_updates').select('id,created_at').eq('organization_id', org).limit(1000),
    db.from('my_notifications').select('id,created_at').eq('organization_id', org).limit(1000),
    db.from('agent_runs').select('id,seq').eq('organization_id', org),
    db.from('publishers').select('id,version').eq('organization_id', org),
  ]);
  for (const answer of [updates, notes, runs, publishers]) if (answer.error) throw answer.error;
  return {
    teamUpdates: feedOrder(updates.data as { id: string; created_at: string }[]),
    notifications: feedOrder(notes.data as { id: string; created_at: string }[]),
    runs: new Map((runs.data as { id: string; seq: number }[]).map((r) => [r.id, Number(r.seq)])),
    publishers: new Map((publishers.data as { id: string; version: number }[]).map((p) => [p.id, p.version])),
  };
}

/** What the client's stores show, in the same shape as {@link Truth}. */
function shown(client: ObservedClient): Truth {
  const { core } = client;
  return {
    teamUpdates: core.teamUpdates.getSnapshot().map((u) => u.id),
    notifications: core.notifications.getSnapshot().notifications.map((n) => n.id),
    runs: new Map(core.agents.getSnapshot().map((r) => [r.runId, r.seq])),
    publishers: new Map(core.publishers.getSnapshot().map((p) => [p.id, p.version])),
  };
}

/** The differences between what a client shows and the truth; empty when it has converged. */
function differences(truth: Truth, seen: Truth): string[] {
  const out: string[] = [];
  const list = (name: string, expected: readonly string[], actual: readonly string[]) => {
    const missing = expected.filter((id) => !actual.includes(id));
    const extra = actual.filter((id) => !expected.includes(id));
    if (missing.length) out.push(`${name}: ${missing.length} missing (${missing.slice(0, 3).join(', ')}…)`);
    if (extra.length) out.push(`${name}: ${extra.length} not in the table (${extra.slice(0, 3).join(', ')}…)`);
    if (new Set(actual).size !== actual.length) out.push(`${name}: duplicates`);
    if (!missing.length && !extra.length && expected.join() !== actual.join()) out.push(`${name}: out of order`);
  };
  list('team updates', truth.teamUpdates, seen.teamUpdates);
  list('notifications', truth.notifications, seen.notifications);
  const versions = (name: string, expected: ReadonlyMap<string, number>, actual: ReadonlyMap<string, number>) => {
    for (const [id, value] of expected)
      if (actual.get(id) !== value) out.push(`${name} ${id}: shows ${String(actual.get(id))}, table has ${value}`);
  };
  versions('run seq', truth.runs, seen.runs);
  versions('publisher version', truth.publishers, seen.publishers);
  return out;
}

/**
 * Waits until the client shows exactly what the tables hold (re-reading the truth each time, so a
 * late write is included), and fails with the differences after `timeoutMs`.
 */
export async function converge(client: ObservedClient, timeoutMs = 60_000): Promise<Truth> {
  const deadline = Date.now() + timeoutMs;
  let last: string[];
  for (;;) {
    const truth = await readTruth(client);
    last = differences(truth, shown(client));
    if (last.length === 0) return truth;
    if (Date.now() > deadline) throw new Error(`${client.user} did not converge: ${last.join('; ')}`);
    // Each pass re-reads the tables: a few per second is plenty against 2.5 s catch-ups.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Message ids that reached the client more than once over the live path. */
export function liveDuplicates(client: ObservedClient): string[] {
  return [...client.live].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
}
