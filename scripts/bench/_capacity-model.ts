/**
 * The capacity budget of docs/capacity.md as code: what an organisation costs Supabase Realtime
 * (messages per second, presence events per second, connections) for the topic scheme as it is,
 * before and after the savings of the capacity work, and the largest organisation each plan
 * sustains. The capacity bench prints its prediction beside what it measures, and a unit test keeps
 * the tables of docs/capacity.md equal to what this model computes. A helper, not a table.
 *
 * Realtime counts one message for each broadcast sent and one for each delivery to a subscribed
 * channel (§8.3), so a broadcast on a topic with N subscribers costs 1 + N. Presence tracks and
 * every presence diff delivered count on a separate presence counter.
 */

/** Supabase's published Realtime quotas, https://supabase.com/docs/guides/realtime/limits (retrieved 2026-12). */
export interface Plan {
  readonly name: 'Free' | 'Pro' | 'Team';
  readonly connections: number;
  readonly messagesPerSecond: number;
  readonly presencePerSecond: number;
  readonly joinsPerSecond: number;
}

export const PLANS: readonly Plan[] = [
  { name: 'Free', connections: 200, messagesPerSecond: 100, presencePerSecond: 20, joinsPerSecond: 100 },
  { name: 'Pro', connections: 500, messagesPerSecond: 500, presencePerSecond: 50, joinsPerSecond: 500 },
  // Pro without a spend cap has the same quotas as Team.
  { name: 'Team', connections: 10_000, messagesPerSecond: 2_500, presencePerSecond: 1_000, joinsPerSecond: 2_500 },
];

/** What an organisation does, per the units below. Everyone is assumed to see every territory (the worst case). */
export interface Workload {
  /** People online, one dashboard tab each (a tab is one connection). */
  readonly members: number;
  /** Agent runs working at the same time, each reporting progress. */
  readonly agents: number;
  /** Progress writes per run per second while it works (the Python SDK's default: 4, `min_interval` 0.25 s). */
  readonly reportsPerSecond: number;
  /** How long a run works; each run also broadcasts its start and its end (changes of state). */
  readonly runSeconds: number;
  /** Per member per minute: page changes (a new activity) on organisation-wide pages. */
  readonly navigationsPerMinute: number;
  /** Per member per minute: glances at another tab shorter than 30 s (hidden, then visible again). */
  readonly tabSwitchesPerMinute: number;
  /** Organisation-wide team updates per minute. */
  readonly teamUpdatesPerMinute: number;
}

/** The scheme before the capacity work, or as it is now. */
export type Scheme = 'before' | 'after';

/** The database's pacing interval for progress alone (private.agent_progress_interval, default). */
export const PROGRESS_INTERVAL_S = 1;
/** Persisted streams a dashboard tab catches up every 2.5 s: agents, team updates, notifications, publishers, activity. */
const CATCH_UP_STREAMS = 5;
const CATCH_UP_INTERVAL_S = 2.5;
/** Before: every tab tracked a fresh presence ticket once a minute. */
const RENEWALS_PER_MINUTE = 1;

/** The reference workload of docs/capacity.md: an SDK-default agent fleet and a busy team. */
export const REFERENCE: Omit<Workload, 'members' | 'agents'> = {
  reportsPerSecond: 4,
  runSeconds: 10,
  navigationsPerMinute: 1,
  tabSwitchesPerMinute: 2,
  teamUpdatesPerMinute: 6,
};

export interface Budget {
  /** Messages per second against the messages/s quota, by what spends them. */
  readonly agents: number;
  readonly activity: number;
  readonly teamUpdates: number;
  readonly messagesPerSecond: number;
  /** Presence events per second against the presence quota (steady state: joins and leaves aside). */
  readonly presencePerSecond: number;
  readonly connections: number;
  /** REST reads per second of every tab's catch-up (not a Realtime quota: database and API load). */
  readonly catchUpReadsPerSecond: number;
}

/**
 * Progress broadcasts per run while it works. Before: every write. After: the first write at
 * least an interval after the last broadcast, so one per interval plus, on average, half the time
 * between two writes; the first interval of a run is its start's (a change of state).
 */
function progressBroadcastsPerRun(w: Workload, scheme: Scheme): number {
  const writes = Math.max(0, w.runSeconds * w.reportsPerSecond - 1);
  if (scheme === 'before') return writes;
  const period = PROGRESS_INTERVAL_S + 1 / (2 * w.reportsPerSecond);
  return Math.min(writes, Math.max(0, w.runSeconds / period - 1));
}

export function budget(w: Workload, scheme: Scheme): Budget {
  const perBroadcast = 1 + w.members; // the send, and one delivery per member on org:<org>
  const runBroadcastsPerSecond = w.agents * ((progressBroadcastsPerRun(w, scheme) + 2) / w.runSeconds);
  const reportsPerMinute = w.navigationsPerMinute + (scheme === 'before' ? 2 * w.tabSwitchesPerMinute : 0); // away, then online again
  const agents = runBroadcastsPerSecond * perBroadcast;
  const activity = ((w.members * reportsPerMinute) / 60) * perBroadcast;
  const teamUpdates = (w.teamUpdatesPerMinute / 60) * perBroadcast;
  // A re-track is one presence event for the track and one diff for each member on the topic.
  const presencePerSecond = scheme === 'before' ? ((w.members * RENEWALS_PER_MINUTE) / 60) * (1 + w.members) : 0;
  return {
    agents,
    activity,
    teamUpdates,
    messagesPerSecond: agents + activity + teamUpdates,
    presencePerSecond,
    connections: w.members,
    catchUpReadsPerSecond: (w.members * CATCH_UP_STREAMS) / CATCH_UP_INTERVAL_S,
  };
}

/** The share of a quota the sustainable size leaves in use: room for bursts, joins and whatever else runs. */
export const HEADROOM = 0.8;

/**
 * The most members online a plan sustains with `agents` runs at the reference workload: within
 * HEADROOM of the messages/s and presence quotas, and within the connections quota.
 */
export function sustainableMembers(plan: Plan, agents: number, scheme: Scheme): number {
  let members = 0;
  for (;;) {
    const next = budget({ ...REFERENCE, agents, members: members + 1 }, scheme);
    if (
      next.connections > plan.connections ||
      next.messagesPerSecond > HEADROOM * plan.messagesPerSecond ||
      next.presencePerSecond > HEADROOM * plan.presencePerSecond
    )
      return members;
    members += 1;
  }
}
