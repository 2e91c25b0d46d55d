import { isActiveRun, type AgentRun } from './agent-run.ts';
import { timeOf } from './rows.ts';

/*
 * What the dashboard derives from the list of runs, as pure functions of a store snapshot (which
 * keeps its identity until it changes, so callers can memoise on it).
 */

/** Whether a run counts as an agent running: processing and not stalled. */
export function isRunning(run: AgentRun): boolean {
  return run.status === 'processing' && !run.stalled;
}

/** The runs that count as agents running (stalled runs and runs the viewer cannot see never do). */
export function countRunning(runs: readonly AgentRun[]): number {
  let count = 0;
  for (const run of runs) if (isRunning(run)) count++;
  return count;
}

const byAgentCache = new WeakMap<readonly AgentRun[], readonly AgentRun[]>();

/**
 * One entry per agent: its latest run (an active run before a finished one, then the most recently
 * updated), in the order agents first appear. The same array for the same snapshot.
 */
export function latestRunPerAgent(runs: readonly AgentRun[]): readonly AgentRun[] {
  const cached = byAgentCache.get(runs);
  if (cached) return cached;
  const latest = new Map<string, AgentRun>();
  for (const run of runs) {
    const current = latest.get(run.agentId);
    if (!current || isLater(run, current)) latest.set(run.agentId, run);
  }
  const result = Object.freeze([...latest.values()]);
  byAgentCache.set(runs, result);
  return result;
}

function isLater(run: AgentRun, than: AgentRun): boolean {
  const active = isActiveRun(run);
  if (active !== isActiveRun(than)) return active;
  return timeOf(run.updatedAt) > timeOf(than.updatedAt);
}
