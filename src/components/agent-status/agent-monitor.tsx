'use client';
import type { AgentRun } from '../../react/index.ts';
import { AgentRunItem, type AgentRunControls } from './agent-run-item.tsx';

/** Finished runs listed below the active ones: the recent past, not the whole history. */
const FINISHED_SHOWN = 10;

/** Running first, then stalled, then the queue by position, then failures, then the rest by recency. */
function rank(run: AgentRun): number {
  if (run.status === 'processing') return run.stalled ? 1 : 0;
  if (run.status === 'queued') return 2;
  if (run.status === 'error') return 3;
  if (run.status === 'idle') return 4;
  return 5;
}

function byWorkOrder(a: AgentRun, b: AgentRun): number {
  return (
    rank(a) - rank(b) ||
    (a.queuePosition ?? Infinity) - (b.queuePosition ?? Infinity) ||
    b.updatedAt.localeCompare(a.updatedAt)
  );
}

/** One `role="progressbar"` per run, named by its agent id, with queue position, attempt, result and controls. */
export function AgentMonitor({ runs, controls }: { runs: readonly AgentRun[]; controls: AgentRunControls }) {
  const ordered = [...runs].sort(byWorkOrder);
  const firstFinished = ordered.findIndex((run) => rank(run) === 5);
  const shown = firstFinished === -1 ? ordered : ordered.slice(0, firstFinished + FINISHED_SHOWN);
  return (
    <section className="card" aria-labelledby="agents-title">
      <h2 id="agents-title">Agents</h2>
      <ul className="agents" aria-label="Agent runs" data-live-list>
        {shown.map((run) => (
          <AgentRunItem key={run.runId} run={run} controls={controls} />
        ))}
        {shown.length === 0 && <li className="muted">No agent runs yet</li>}
      </ul>
    </section>
  );
}
