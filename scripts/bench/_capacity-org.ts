/**
 * A simulated organisation for the capacity bench and the Free-plan test: its SQL (people who see
 * every territory, an agent account), agents that report like the Python SDK (a run starts, reports
 * progress `reportsPerSecond` times a second, completes, and the next one starts), and what a
 * person saw of it: for every agent write, how long until a person's dashboard showed it (or
 * something newer), and whether each change of state arrived live. A helper, not a table.
 */
import { performance } from 'node:perf_hooks';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { RealtimeClient } from '../../src/realtime/index.ts';

export const CAPACITY_PASSWORD = 'capacity-password';
export const CAPACITY_TERRITORIES = ['US_West', 'US_East'] as const;

export interface CapacityPerson {
  readonly id: string;
  readonly email: string;
}

export interface CapacityOrg {
  readonly id: string;
  /** The first is the owner; everyone is a member who sees every territory. */
  readonly people: readonly CapacityPerson[];
  readonly agent: CapacityPerson;
}

/** A fixed uuid from a kind digit and a counter (`7c…` for this module's rows). */
function uuid(kind: number, n: number): string {
  return `${kind.toString(16).padStart(8, '0')}-7ca0-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function capacityOrg(members: number): CapacityOrg {
  return {
    id: uuid(0xf, 0),
    people: Array.from({ length: members }, (_, i) => ({ id: uuid(0xe, i), email: `capacity-${i}@capacity.test` })),
    agent: { id: uuid(0xa, 0), email: 'capacity-agent@capacity.test' },
  };
}

const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** The SQL that creates `org` beside the seed. Passwords use a cheap bcrypt cost: sign-ins measure the stack, not bcrypt. */
export function capacityOrgSql(org: CapacityOrg): string {
  const users = [...org.people, org.agent];
  const members = [
    ...org.people.map((p, i) => `(${literal(org.id)}, ${literal(p.id)}, '${i === 0 ? 'owner' : 'member'}', '{}')`),
    `(${literal(org.id)}, ${literal(org.agent.id)}, 'agent', '{}')`,
  ];
  return `
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  confirmation_token, recovery_token, email_change_token_new, email_change,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at
)
select '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email,
       crypt(${literal(CAPACITY_PASSWORD)}, gen_salt('bf', 4)), now(), '', '', '', '',
       '{"provider":"email","providers":["email"]}'::jsonb, '{}'::jsonb, now(), now()
  from (values ${users.map((u) => `(${literal(u.id)}::uuid, ${literal(u.email)})`).join(', ')}) as u(id, email);
insert into public.organizations (id, name) values (${literal(org.id)}, 'Capacity organisation');
insert into public.organization_members (organization_id, user_id, role, territories) values
  ${members.join(',\n  ')};
insert into public.publishers (organization_id, name, status, territory) values
  ${CAPACITY_TERRITORIES.map((t, i) => `(${literal(org.id)}, 'Capacity publisher ${i}', 'active', ${literal(t)})`).join(', ')};
`;
}

/** Milliseconds since the epoch at performance.now()'s resolution: comparable with the database's timestamps on one machine. */
export const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export interface AgentWrite {
  readonly runId: string;
  readonly seq: number;
  /**
   * When the row changed: its `updated_at` (the database's clock, the same machine's), so that what
   * a person saw is judged from the moment it was true, not from when a busy REST API got to it.
   */
  readonly at: number;
  /** A change of state (start, completion), which must arrive live and at once. */
  readonly state: boolean;
}

export interface AgentOptions {
  readonly organizationId: string;
  readonly agents: number;
  readonly reportsPerSecond: number;
  readonly runSeconds: number;
  /** When the agents stop starting runs; the run in progress then completes. */
  readonly until: number;
}

/**
 * `agents` agents writing through REST as the agent account, each one write at a time, on absolute
 * times (a slow write delays nothing after it), as the SDK's reporter does at its default rate.
 * Resolves with every write once the last run has completed.
 */
export async function driveAgents(agent: SupabaseClient, options: AgentOptions): Promise<AgentWrite[]> {
  const writes: AgentWrite[] = [];
  const tick = 1000 / options.reportsPerSecond;
  const write = async (runId: string | null, columns: Record<string, unknown>, state: boolean): Promise<string> => {
    const request = runId
      ? agent.from('agent_runs').update(columns).eq('id', runId)
      : agent.from('agent_runs').insert({ organization_id: options.organizationId, ...columns });
    const { data, error } = await request
      .select('id, seq, updated_at')
      .single<{ id: string; seq: number; updated_at: string }>();
    if (error) throw new Error(`agent write failed: ${error.message}`);
    writes.push({ runId: data.id, seq: data.seq, at: Date.parse(data.updated_at), state });
    return data.id;
  };
  const agentLoop = async (a: number): Promise<void> => {
    // Agents start a little apart, as real ones do, so their writes do not all land together.
    await sleep((a * tick) / options.agents);
    while (now() < options.until) {
      const started = now();
      const runId = await write(null, { agent_id: `capacity-agent-${a}`, status: 'processing', progress: 0 }, true);
      const reports = options.runSeconds * options.reportsPerSecond;
      for (let i = 1; i < reports; i++) {
        await sleep(started + i * tick - now());
        await write(runId, { progress: Math.round((100 * i) / reports), current_task: `step ${i}` }, false);
      }
      await sleep(started + reports * tick - now());
      await write(runId, { status: 'completed', progress: 100 }, true);
    }
  };
  await Promise.all(Array.from({ length: options.agents }, (_, a) => agentLoop(a)));
  return writes;
}

/** What one person's dashboard did with the agents' runs: when each run's seq was first shown, and what arrived live. */
export interface Watcher {
  /** runId → [time, seq shown from then on] in time order. */
  readonly shown: Map<string, [number, number][]>;
  /** agent_status message id → when it arrived live (a broadcast, not a catch-up read). */
  readonly live: Map<string, number>;
  stop(): void;
}

export function watchAgents(core: RealtimeClient): Watcher {
  const shown = new Map<string, [number, number][]>();
  const live = new Map<string, number>();
  const stopStore = core.agents.subscribe(() => {
    const at = now();
    for (const run of core.agents.getSnapshot()) {
      const history = shown.get(run.runId) ?? [];
      if (history.length === 0) shown.set(run.runId, history);
      if ((history.at(-1)?.[1] ?? -1) < run.seq) history.push([at, run.seq]);
    }
  });
  const stopLive = core.onMessage((message) => {
    if (message.type === 'agent_status' && !live.has(message.id)) live.set(message.id, now());
  });
  return {
    shown,
    live,
    stop() {
      stopStore();
      stopLive();
    },
  };
}

export interface Seen {
  /** Every write × person: ms from the row's change until the person's dashboard showed it or something newer (Infinity: never). */
  readonly staleness: number[];
  /** Changes of state × person that never arrived live, and those that did, with their delay. */
  readonly statesNotLive: number;
  readonly stateDelays: number[];
}

/** Joins the agents' writes with what each watcher showed. */
export function judgeSeen(writes: readonly AgentWrite[], watchers: readonly Watcher[]): Seen {
  const staleness: number[] = [];
  const stateDelays: number[] = [];
  let statesNotLive = 0;
  for (const watcher of watchers) {
    for (const write of writes) {
      const shownAt = watcher.shown.get(write.runId)?.find(([, seq]) => seq >= write.seq)?.[0];
      staleness.push(shownAt === undefined ? Number.POSITIVE_INFINITY : Math.max(0, shownAt - write.at));
      if (!write.state) continue;
      const arrived = watcher.live.get(`${write.runId}:${write.seq}`);
      if (arrived === undefined) statesNotLive += 1;
      else stateDelays.push(Math.max(0, arrived - write.at));
    }
  }
  return { staleness, statesNotLive, stateDelays };
}
