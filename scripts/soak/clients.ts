/**
 * The soak's people: one supabase-js client and one product core (`createRealtimeClient`) each,
 * signed in with a password like a dashboard tab, every store subscribed. Each records when every
 * message id arrived over the live path (and how often), and live agent updates that went back
 * in `seq`. A person can be "churned": the core is disposed and made anew on the same session
 * (a tab closed and reopened), which leaves and rejoins presence and every channel.
 */
import { performance } from 'node:perf_hooks';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { createRealtimeClient, type RealtimeClient } from '../../src/realtime/index.ts';
import { SOAK_PASSWORD, type SoakPerson } from './fixture.ts';

export interface Arrival {
  /** performance.timeOrigin-based ms of the first arrival. */
  readonly at: number;
  count: number;
}

export interface SoakClient {
  readonly person: SoakPerson;
  readonly supabase: SupabaseClient;
  core: RealtimeClient;
  readonly arrivals: Map<string, Arrival>;
  readonly outOfOrder: string[];
  /** When each churn began and ended (ms, performance clock), to tell a churn gap from a live drop. */
  readonly churns: { readonly from: number; readonly to: number }[];
  /** The core's reported errors (refused or failed channels, failed reads), with the time. */
  readonly errors: string[];
  churn(): Promise<void>;
  stop(): Promise<void>;
}

export interface SoakClientOptions {
  readonly url: string;
  readonly anonKey: string;
  /** The cores' periodic catch-up (see the soak's README section for why it is longer than the default). */
  readonly catchUpIntervalMs: number;
}

const now = () => performance.timeOrigin + performance.now();

/** Attempts per sign-in: a stack busy accepting hundreds of sockets may miss undici's 10 s connect timeout. */
const SIGN_IN_ATTEMPTS = 5;

async function signIn(supabase: SupabaseClient, person: SoakPerson): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const { error } = await supabase.auth.signInWithPassword({ email: person.email, password: SOAK_PASSWORD });
    if (!error) return;
    if (attempt >= SIGN_IN_ATTEMPTS || error.status !== 0)
      throw new Error(`soak: sign-in of ${person.email} failed: ${error.message}`);
    await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
  }
}

export async function createSoakClient(person: SoakPerson, options: SoakClientOptions): Promise<SoakClient> {
  const supabase = createClient(options.url, options.anonKey, {
    // Refreshing as a dashboard's client does: a soak outlives the stack's 10-minute access tokens.
    auth: { persistSession: false, autoRefreshToken: true, detectSessionInUrl: false, storageKey: person.id },
    // `ws` opens a TCP connection per socket, as a browser does (Node's built-in WebSocket may reuse a pooled one).
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
  });
  await signIn(supabase, person);
  const arrivals = new Map<string, Arrival>();
  const outOfOrder: string[] = [];
  const churns: { from: number; to: number }[] = [];
  const errors: string[] = [];
  const lastSeq = new Map<string, number>();
  let stops: (() => void)[] = [];

  const start = (): RealtimeClient => {
    const core = createRealtimeClient({
      supabase,
      organizationId: person.orgId,
      catchUpIntervalMs: options.catchUpIntervalMs,
      channelGraceMs: 50,
    });
    stops = [
      core.onMessage((message) => {
        const arrival = arrivals.get(message.id);
        if (arrival) arrival.count += 1;
        else arrivals.set(message.id, { at: now(), count: 1 });
        if (message.type === 'agent_status' && message.data.runId) {
          const previous = lastSeq.get(message.data.runId) ?? -1;
          if (message.seq <= previous) outOfOrder.push(`${message.data.runId}: ${message.seq} after ${previous}`);
          lastSeq.set(message.data.runId, Math.max(previous, message.seq));
        }
      }),
      core.onError((error) => {
        const context = error.context as { kind: string; topic?: string; status?: string; operation?: string };
        errors.push(
          `${Math.round(now() % 1_000_000)} ${context.kind} ${context.topic ?? context.operation ?? ''} ${context.status ?? ''} ${error.message}`.slice(
            0,
            160,
          ),
        );
      }),
      core.agents.subscribe(() => undefined),
      core.teamUpdates.subscribe(() => undefined),
      core.notifications.subscribe(() => undefined),
      core.publishers.subscribe(() => undefined),
      core.userSnapshots.subscribe(() => undefined),
    ];
    return core;
  };

  const client: SoakClient = {
    person,
    supabase,
    core: start(),
    arrivals,
    outOfOrder,
    churns,
    errors,
    async churn() {
      const from = now();
      for (const stop of stops) stop();
      await client.core.dispose();
      // A reopened tab: a new core on the same session. Its live order starts afresh.
      lastSeq.clear();
      client.core = start();
      churns.push({ from, to: now() });
    },
    async stop() {
      for (const stop of stops) stop();
      await supabase.auth.stopAutoRefresh();
      await client.core.dispose();
      await supabase.removeAllChannels();
      supabase.realtime.disconnect();
    },
  };
  return client;
}
