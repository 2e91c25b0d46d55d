/**
 * The soak's judgement: for every persisted event and every person entitled to it (same
 * organisation; for a territory's team update, a person allowed that territory), did it reach the
 * person's client — live, or by the core's backfill — exactly once, and in order? Plus the
 * delivery latency of the live path and the stack's memory slope.
 */
import { percentile } from '../bench/_stats.ts';
import type { SoakClient } from './clients.ts';
import type { SoakOrg, SoakPerson } from './fixture.ts';
import type { SoakEvent } from './load.ts';

export interface MemorySample {
  readonly at: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly sockets: number;
  readonly channels: number;
}

export interface Truth {
  /** runId → seq in the table at the end. */
  readonly runs: ReadonlyMap<string, number>;
  /** publisherId → version in the table at the end. */
  readonly publishers: ReadonlyMap<string, number>;
}

export interface Verdict {
  readonly events: number;
  readonly expected: number;
  readonly live: number;
  readonly backfilled: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly outOfOrder: number;
  readonly p50: number;
  readonly p99: number;
  /** MB per 10 minutes after the warm-up, least squares; NaN when the window is too short. */
  readonly heapSlope: number;
  readonly rssSlope: number;
  readonly lostExamples: readonly string[];
}

export function entitled(person: SoakPerson, event: SoakEvent): boolean {
  if (event.orgId !== person.orgId) return false;
  if (event.kind === 'publisher_save') return false; // judged by final version, not per event
  if (event.territory === null || person.territories.length === 0) return true;
  return person.territories.includes(event.territory);
}

/** What is still missing on one client (empty once it shows everything it is entitled to). */
export function missing(
  client: SoakClient,
  events: ReadonlyMap<string, SoakEvent>,
  truth: Truth,
  orgs: readonly SoakOrg[],
): string[] {
  const { core, person } = client;
  const feed = new Set([
    ...core.teamUpdates.getSnapshot().map((u) => u.id),
    ...core.notifications.getSnapshot().notifications.map((n) => n.id),
  ]);
  const runs = new Map(core.agents.getSnapshot().map((r) => [r.runId, r.seq]));
  const out: string[] = [];
  for (const [id, event] of events) {
    if (!entitled(person, event)) continue;
    if (event.kind === 'agent_status') {
      const [runId = '', seq = '0'] = id.split(':');
      if (!client.arrivals.has(id) && (runs.get(runId) ?? -1) < Number(seq)) out.push(`${event.kind} ${id}`);
    } else if (!feed.has(id)) out.push(`${event.kind} ${id}`);
  }
  const org = orgs.find((o) => o.id === person.orgId);
  const shown = new Map(core.publishers.getSnapshot().map((p) => [p.id, p.version]));
  for (const publisher of org?.publishers ?? []) {
    if (person.territories.length > 0 && !person.territories.includes(publisher.territory)) continue;
    const version = truth.publishers.get(publisher.id);
    if (version !== undefined && shown.get(publisher.id) !== version)
      out.push(`publisher ${publisher.id} v${String(shown.get(publisher.id))} of v${version}`);
  }
  return out;
}

/** One client's losses with what may explain them: when they were written, churns, channel errors. */
function explainLoss(client: SoakClient, gone: readonly string[], events: ReadonlyMap<string, SoakEvent>): string {
  const written = gone
    .map((entry) => events.get(entry.split(' ')[1] ?? '')?.startedAt)
    .filter((t): t is number => t !== undefined)
    .map((t) => Math.round(t % 1_000_000));
  const churns = client.churns.map((c) => `${Math.round(c.from % 1_000_000)}–${Math.round(c.to % 1_000_000)}`);
  return (
    `${client.person.email}: ${gone.slice(0, 3).join(', ')} (written at ${written.slice(0, 3).join(', ')};` +
    ` churned ${churns.join(' ') || 'never'}; errors ${client.errors.slice(0, 4).join(' | ') || 'none'})`
  );
}

/** Least-squares slope of `value` over time, in MB per 10 minutes. */
export function slopePer10Min(samples: readonly MemorySample[], value: (s: MemorySample) => number): number {
  if (samples.length < 3) return Number.NaN;
  const xs = samples.map((s) => s.at / 60_000);
  const ys = samples.map((s) => value(s) / 1_048_576);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? Number.NaN : (num / den) * 10;
}

export function judge(
  clients: readonly SoakClient[],
  events: ReadonlyMap<string, SoakEvent>,
  truth: Truth,
  orgs: readonly SoakOrg[],
  samples: readonly MemorySample[],
  warmupUntil: number,
): Verdict {
  let expected = 0;
  let live = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  const latencies: number[] = [];
  const lostExamples: string[] = [];
  let lost = 0;
  let lostEvents = 0;
  for (const client of clients) {
    for (const [id, event] of events) {
      if (!entitled(client.person, event)) continue;
      expected += 1;
      const arrival = client.arrivals.get(id);
      if (!arrival) continue;
      live += 1;
      latencies.push(arrival.at - event.startedAt);
    }
    for (const arrival of client.arrivals.values()) duplicated += arrival.count - 1;
    outOfOrder += client.outOfOrder.length;
    const gone = missing(client, events, truth, orgs);
    lost += gone.length;
    lostEvents += gone.filter((entry) => !entry.startsWith('publisher ')).length;
    if (gone.length > 0 && lostExamples.length < 5) lostExamples.push(explainLoss(client, gone, events));
  }
  const sorted = Float64Array.from(latencies).sort();
  const window = samples.filter((s) => s.at >= warmupUntil);
  return {
    events: events.size,
    expected,
    live,
    backfilled: expected - live - lostEvents,
    lost,
    duplicated,
    outOfOrder,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    heapSlope: slopePer10Min(window, (s) => s.heapUsed),
    rssSlope: slopePer10Min(window, (s) => s.rss),
    lostExamples,
  };
}
