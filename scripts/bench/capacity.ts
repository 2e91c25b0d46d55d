/**
 * `npm run bench -- capacity`: a simulated organisation driven against the local stack with a
 * Supabase plan's quotas set, before and after the capacity work, one pair of rows per plan, each
 * beside what the budget model of docs/capacity.md predicts (scripts/bench/_capacity-model.ts).
 *
 *   setup      per plan: M members online (3 of them the product's client core with the dashboard's
 *              stores, the rest supabase-js clients joined to the same topics with ticketed
 *              presence; scripts/bench/_capacity-members.ts), A agents reporting at the Python
 *              SDK's default rate (4 progress writes a second, 10 s runs), each member changing page
 *              once a minute and glancing at another tab twice a minute, 6 team updates a minute;
 *              the stack alone in a child process with the plan's connections and messages/s
 *   before     the agent_status trigger as it was (every progress write broadcast), a fresh presence
 *              ticket tracked every minute, `away`/`online` reported on every glance
 *   after      the product as it is
 *   measured   over LOAD_S seconds after every member joined: messages/s Realtime counted, what it
 *              dropped (database broadcasts over the quota, in the deliveries they would have made),
 *              offered = counted + dropped (what the model predicts), presence events/s, REST
 *              requests/s of the catch-up (the observers' rate × M), changes of state that reached
 *              the observers live, and how stale their agents view was (ms from a run's row
 *              changing to their dashboard showing it or something newer)
 *
 * Presence and joins are measured but not enforced: the stack's counters average over the buckets
 * since it started (fewer than Realtime's 12 at first), so the members' joins of the warm-up alone
 * would trip a plan's presence quota that a long-running project's 60 s average would not.
 * Not a test: compare rows of one run.
 */
import { loadavg } from 'node:os';
import { createClient } from '@supabase/supabase-js';
import { budget, PLANS, REFERENCE, type Plan, type Scheme } from './_capacity-model.ts';
import { startObserver, startWireMember, type Observer, type WireMember } from './_capacity-members.ts';
import {
  capacityOrg,
  capacityOrgSql,
  CAPACITY_PASSWORD,
  driveAgents,
  judgeSeen,
  now,
  watchAgents,
} from './_capacity-org.ts';
import { CapacityStack, previousAgentBroadcast } from './_capacity-stack-handle.ts';
import { fixed, printTable, ratio, summarize } from './_stats.ts';

/** Each plan's organisation: near the size the model says it sustains with these agents (docs/capacity.md). */
const ORGANISATIONS: Readonly<Record<Plan['name'], { members: number; agents: number }>> = {
  Free: { members: 20, agents: 3 },
  Pro: { members: 60, agents: 5 },
  Team: { members: 150, agents: 10 },
};
const OBSERVERS = 3;
const LOAD_S = 30;
const SCHEMES: readonly Scheme[] = ['before', 'after'];

interface Measured {
  readonly plan: Plan;
  readonly scheme: Scheme;
  readonly members: number;
  readonly agents: number;
  readonly counted: number;
  readonly dropped: number;
  readonly presence: number;
  readonly restPerSecond: number;
  readonly statesLive: string;
  readonly staleness: { p50: number; p99: number; worst: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
/** PUBDEV_BENCH_VERBOSE=1 says what each row is doing (the bench is long). */
const progress = (line: string) => {
  if (process.env.PUBDEV_BENCH_VERBOSE) console.error(`[capacity] ${line}`);
};

async function measure(plan: Plan, scheme: Scheme): Promise<Measured> {
  const { members, agents } = ORGANISATIONS[plan.name];
  const org = capacityOrg(members);
  const stack = await CapacityStack.start(plan);
  const keys = { url: stack.ready.url, anonKey: stack.ready.anonKey, jwtSecret: stack.ready.jwtSecret };
  const observers: Observer[] = [];
  const wire: WireMember[] = [];
  try {
    progress(`${plan.name} ${scheme}: stack at ${keys.url}`);
    await stack.sql(capacityOrgSql(org));
    if (scheme === 'before') await stack.sql(await previousAgentBroadcast());
    // People arrive over a few seconds, not in one instant.
    for (const person of org.people.slice(0, OBSERVERS)) observers.push(await startObserver(keys, org, person));
    const behaviour = { scheme, ...REFERENCE };
    for (const person of org.people.slice(OBSERVERS)) {
      wire.push(await startWireMember(keys, org, person, behaviour));
      await sleep(50);
    }
    progress(`${plan.name} ${scheme}: ${observers.length} observers and ${wire.length} members connecting`);
    const joinedBy = Date.now() + 120_000;
    const allJoined = () =>
      wire.every((m) => m.joined()) &&
      observers.every((o) => o.supabase.getChannels().filter((c) => c.state === 'joined').length >= 4);
    while (!allJoined() && Date.now() < joinedBy) await sleep(250);
    if (!allJoined()) throw new Error(`capacity: not every member joined within 120 s (${plan.name}, ${scheme})`);
    await sleep(3000); // the joins' first reads and presence settle

    const watchers = observers.map((o) => watchAgents(o.core));
    const agent = createClient(keys.url, keys.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
    const signedIn = await agent.auth.signInWithPassword({ email: org.agent.email, password: CAPACITY_PASSWORD });
    if (signedIn.error) throw new Error(`capacity: agent sign-in: ${signedIn.error.message}`);
    const service = createClient(keys.url, stack.ready.serviceRoleKey, { auth: { persistSession: false } });

    progress(`${plan.name} ${scheme}: every member joined; load for ${LOAD_S} s`);
    const before = await stack.usage();
    const restBefore = observers.reduce((sum, o) => sum + o.restRequests(), 0);
    const started = now();
    const until = started + LOAD_S * 1000;
    const teamUpdates = (async () => {
      for (let i = 0; now() < until; i++) {
        await sleep(60_000 / REFERENCE.teamUpdatesPerMinute);
        await service
          .from('team_updates')
          .insert({ organization_id: org.id, update_type: 'assignment', message: `capacity ${i}`, details: {} });
      }
    })();
    const [writes] = await Promise.all([
      driveAgents(agent, {
        organizationId: org.id,
        agents,
        reportsPerSecond: REFERENCE.reportsPerSecond,
        runSeconds: REFERENCE.runSeconds,
        until,
      }),
      Promise.all(wire.map((m) => m.live(until))).then(() => progress(`${plan.name} ${scheme}: members done`)),
      teamUpdates.then(() => progress(`${plan.name} ${scheme}: team updates done`)),
    ]);
    const seconds = (now() - started) / 1000;
    const after = await stack.usage();
    progress(`${plan.name} ${scheme}: load done after ${seconds.toFixed(0)} s`);
    const restAfter = observers.reduce((sum, o) => sum + o.restRequests(), 0);
    // The last value: give the catch-up its chance before judging what the observers saw.
    await sleep(4000);
    for (const watcher of watchers) watcher.stop();
    const seen = judgeSeen(writes, watchers);
    const states = writes.filter((w) => w.state).length * watchers.length;
    const { p50, p99 } = summarize(seen.staleness.filter(Number.isFinite));
    return {
      plan,
      scheme,
      members,
      agents,
      counted: (after.events - before.events) / seconds,
      dropped:
        (after.droppedDeliveries + after.droppedBroadcasts - before.droppedDeliveries - before.droppedBroadcasts) /
        seconds,
      presence: (after.presenceEvents - before.presenceEvents) / seconds,
      restPerSecond: ((restAfter - restBefore) / seconds / observers.length) * members,
      statesLive: `${states - seen.statesNotLive}/${states}`,
      staleness: { p50, p99, worst: Math.max(...seen.staleness) },
    };
  } finally {
    for (const member of wire) await member.stop().catch(() => undefined);
    for (const observer of observers) await observer.stop().catch(() => undefined);
    await stack.stop();
  }
}

function printRows(rows: readonly Measured[]): void {
  printTable(
    [
      'plan (quota msg/s)',
      'members',
      'agents',
      'scheme',
      'offered msg/s',
      'model',
      '× model',
      'counted msg/s',
      'dropped msg/s',
      'presence ev/s (quota)',
      'catch-up REST/s',
      'states live',
      'staleness p50 ms',
      'p99 ms',
      'worst ms',
    ],
    rows.map((row) => {
      const model = budget({ ...REFERENCE, members: row.members, agents: row.agents }, row.scheme);
      const offered = row.counted + row.dropped;
      return [
        `${row.plan.name} (${row.plan.messagesPerSecond})`,
        String(row.members),
        String(row.agents),
        row.scheme,
        fixed(offered, 0),
        fixed(model.messagesPerSecond, 0),
        ratio(offered, model.messagesPerSecond),
        fixed(row.counted, 0),
        fixed(row.dropped, 0),
        `${fixed(row.presence, 1)} (${row.plan.presencePerSecond})`,
        fixed(row.restPerSecond, 0),
        row.statesLive,
        fixed(row.staleness.p50, 0),
        fixed(row.staleness.p99, 0),
        Number.isFinite(row.staleness.worst) ? fixed(row.staleness.worst, 0) : 'never',
      ];
    }),
  );
}

function printRatios(rows: readonly Measured[]): void {
  console.log('\nAfter ÷ before, per plan (the same organisation, the same load):\n');
  printTable(
    [
      'plan',
      'offered msg/s before',
      'after',
      'after/before',
      'dropped msg/s before',
      'after',
      'worst staleness ms before',
      'after',
    ],
    PLANS.flatMap((plan) => {
      const b = rows.find((r) => r.plan === plan && r.scheme === 'before');
      const a = rows.find((r) => r.plan === plan && r.scheme === 'after');
      if (!a || !b) return [];
      const worst = (r: Measured) => (Number.isFinite(r.staleness.worst) ? fixed(r.staleness.worst, 0) : 'never');
      return [
        [
          plan.name,
          fixed(b.counted + b.dropped, 0),
          fixed(a.counted + a.dropped, 0),
          ratio(a.counted + a.dropped, b.counted + b.dropped),
          fixed(b.dropped, 0),
          fixed(a.dropped, 0),
          worst(b),
          worst(a),
        ],
      ];
    }),
  );
}

export async function runTable(): Promise<void> {
  const only = (process.env.PUBDEV_BENCH_CAPACITY_PLANS ?? '').split(',').filter(Boolean);
  const plans = PLANS.filter((plan) => only.length === 0 || only.includes(plan.name));
  console.log(
    `\nA simulated organisation per plan, ${LOAD_S} s of load after every member joined (load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}):\n`,
  );
  const rows: Measured[] = [];
  for (const plan of plans)
    for (const scheme of SCHEMES) {
      rows.push(await measure(plan, scheme));
      process.stdout.write('.');
    }
  console.log('\n');
  printRows(rows);
  printRatios(rows);
}
