/**
 * The people of the capacity bench. A few are observers: the product's client core with the
 * dashboard's stores, signed in with a password, whose REST requests are counted and whose agents
 * store shows what a person saw. The rest are members at the wire: a supabase-js client joined to
 * what a dashboard joins (the organisation's topic with a ticketed presence, both territories', their
 * own), renewing their presence ticket and reporting activity as the product's client does in the
 * scheme being measured:
 *   before  a fresh ticket tracked every minute; `away` and `online` reported on every glance at
 *           another tab;
 *   after   the ticket renewed in place (no track); a glance under 30 s reports nothing.
 * A helper, not a table.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { orgTopic, territoryTopic, userTopic } from '../../src/contract/index.ts';
import { createRealtimeClient, type RealtimeClient } from '../../src/realtime/index.ts';
import { signJwt } from '../../local-stack/index.ts';
import { CAPACITY_PASSWORD, CAPACITY_TERRITORIES, type CapacityOrg, type CapacityPerson } from './_capacity-org.ts';
import type { Scheme } from './_capacity-model.ts';

export interface StackKeys {
  readonly url: string;
  readonly anonKey: string;
  readonly jwtSecret: string;
}

const NO_SESSION = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } as const;
// `ws` opens a TCP connection per socket, as a browser does.
const transport = WebSocket as unknown as typeof globalThis.WebSocket;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export interface Observer {
  readonly core: RealtimeClient;
  readonly supabase: SupabaseClient;
  /** REST requests (PostgREST reads and RPCs) the core made so far. */
  restRequests(): number;
  stop(): Promise<void>;
}

export async function startObserver(keys: StackKeys, org: CapacityOrg, person: CapacityPerson): Promise<Observer> {
  let requests = 0;
  const supabase = createClient(keys.url, keys.anonKey, {
    auth: { ...NO_SESSION, storageKey: person.id },
    realtime: { transport },
    global: {
      fetch: (input, init) => {
        if (String(input instanceof Request ? input.url : input).includes('/rest/v1/')) requests += 1;
        return fetch(input, init);
      },
    },
  });
  const { error } = await supabase.auth.signInWithPassword({ email: person.email, password: CAPACITY_PASSWORD });
  if (error) throw new Error(`capacity: sign-in of ${person.email}: ${error.message}`);
  const core = createRealtimeClient({ supabase, organizationId: org.id, channelGraceMs: 50 });
  const stops = [
    core.agents.subscribe(() => undefined),
    core.teamUpdates.subscribe(() => undefined),
    core.notifications.subscribe(() => undefined),
    core.publishers.subscribe(() => undefined),
    core.userSnapshots.subscribe(() => undefined),
  ];
  core.userSnapshots.updateActivity({ action: 'Watching the agents' });
  return {
    core,
    supabase,
    restRequests: () => requests,
    async stop() {
      for (const stop of stops) stop();
      await core.dispose();
      await supabase.removeAllChannels();
    },
  };
}

export interface WireMember {
  /** Every channel joined, present with a ticket, and the first activity reported. */
  joined(): boolean;
  /** Starts the member's presence renewals and activity until `until` (ms since the epoch). */
  live(until: number): Promise<void>;
  stop(): Promise<void>;
}

export interface Behaviour {
  readonly scheme: Scheme;
  readonly navigationsPerMinute: number;
  readonly tabSwitchesPerMinute: number;
}

/** How long a glance at another tab lasts (under the 30 s after which a tab is away). */
const GLANCE_MS = 5_000;
/** Presence tickets are renewed (after) or replaced (before) this often, as presence-tickets.ts does. */
const RENEW_MS = 60_000;

export async function startWireMember(
  keys: StackKeys,
  org: CapacityOrg,
  person: CapacityPerson,
  behaviour: Behaviour,
): Promise<WireMember> {
  const seconds = Math.floor(Date.now() / 1000);
  const token = await signJwt(
    {
      sub: person.id,
      email: person.email,
      role: 'authenticated',
      aud: 'authenticated',
      iat: seconds,
      exp: seconds + 3600,
    },
    keys.jwtSecret,
  );
  const supabase = createClient(keys.url, keys.anonKey, {
    accessToken: () => Promise.resolve(token),
    realtime: { transport },
  });
  await supabase.realtime.setAuth();
  const org_ = orgTopic(org.id);
  const topics = [org_, ...CAPACITY_TERRITORIES.map((t) => territoryTopic(org.id, t)), userTopic(person.id)];
  const channels = topics.map((topic) =>
    supabase.channel(topic, {
      config: { private: true, ...(topic === org_ ? { presence: { key: person.id, enabled: true } } : {}) },
    }),
  );
  const joinedTopics = new Set<string>();
  channels.forEach((channel, i) =>
    channel.subscribe((status) => {
      if (status === 'SUBSCRIBED') joinedTopics.add(topics[i]!);
    }),
  );
  const presence = channels[0]!;
  let ticket: string | null = null;
  const issueAndTrack = async (): Promise<void> => {
    const { data } = await supabase.rpc('issue_presence_ticket', { topic: org_, claim: 'online' });
    ticket = (data as { ticket?: string } | null)?.ticket ?? randomUUID();
    await presence.track({ ticket });
  };
  const report = async (action: string, status: 'online' | 'away'): Promise<void> => {
    await supabase.rpc('report_activity', { organization_id: org.id, action, status });
  };
  let stopped = false;
  // Arriving (before the measured window): present with a ticket, and on the dashboard.
  let arrived = false;
  void (async () => {
    while (!joinedTopics.has(org_) && !stopped) await sleep(50);
    await issueAndTrack();
    await report('Dashboard', 'online');
    arrived = true;
  })();

  return {
    joined: () => arrived && joinedTopics.size === topics.length,
    async live(until) {
      // Each kind of event at its own rate, from a random phase: the organisation's rate is steady.
      const every = async (periodMs: number, act: () => Promise<void>) => {
        if (!Number.isFinite(periodMs)) return;
        for (let at = Date.now() + Math.random() * periodMs; at < until && !stopped; at += periodMs) {
          await sleep(at - Date.now());
          if (Date.now() < until && !stopped) await act().catch(() => undefined);
        }
      };
      let page = 0;
      await Promise.all([
        every(RENEW_MS, async () => {
          if (behaviour.scheme === 'before' || ticket === null) await issueAndTrack();
          else await supabase.rpc('renew_presence_ticket', { ticket });
        }),
        every(60_000 / behaviour.navigationsPerMinute, () => report(`Page ${++page}`, 'online')),
        every(60_000 / behaviour.tabSwitchesPerMinute, async () => {
          if (behaviour.scheme === 'after') return; // a glance under 30 s reports nothing
          await report(`Page ${page}`, 'away');
          await sleep(GLANCE_MS);
          await report(`Page ${page}`, 'online');
        }),
      ]);
    },
    async stop() {
      stopped = true;
      await supabase.removeAllChannels();
      supabase.realtime.disconnect();
    },
  };
}
