'use client';
import type { AgentRun } from '../../react/index.ts';
import { formatEta, formatTime } from '../format.ts';

type AgentRunView = AgentRun;

/** Running first, then queued by position, then the rest by recency: the order a lead scans. */
function byWorkOrder(a: AgentRunView, b: AgentRunView): number {
  const rank = (r: AgentRunView) =>
    r.status === 'processing' ? 0 : r.status === 'queued' ? 1 : r.status === 'error' ? 2 : 3;
  return rank(a) - rank(b) || (a.queuePosition ?? 0) - (b.queuePosition ?? 0) || b.updatedAt.localeCompare(a.updatedAt);
}

function percent(run: AgentRunView): number {
  if (run.status === 'completed') return 100;
  return Math.round(run.progress?.progress ?? 0);
}

/** One `role="progressbar"` per run, named by its agent id, with task, ETA, queue and retries. */
export function AgentMonitor({ runs }: { runs: readonly AgentRunView[] }) {
  const ordered = [...runs].sort(byWorkOrder);
  return (
    <section className="card" aria-labelledby="agents-title">
      <h2 id="agents-title">Agents</h2>
      <ul className="agents" aria-label="Agent runs" data-live-list>
        {ordered.map((run) => {
          const value = percent(run);
          const eta = formatEta(run.progress?.estimatedTime);
          return (
            <li key={run.runId} data-run-id={run.runId} data-status={run.status}>
              <div className="agent-head">
                <strong>{run.agentId}</strong>
                <span className={`badge badge-${run.status}`}>{run.status}</span>
                {run.status === 'queued' && run.queuePosition != null && (
                  <span className="muted">#{run.queuePosition} in queue</span>
                )}
              </div>
              <div
                role="progressbar"
                aria-label={run.agentId}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={value}
                aria-valuetext={`${value}% ${run.status}`}
                className="bar"
              >
                <div className="bar-fill" style={{ width: `${value}%` }} />
              </div>
              <div className="muted small one-line">
                {value}% · {run.progress?.currentTask ?? (run.status === 'completed' ? 'Done' : 'Waiting')}
                {eta && run.status === 'processing' ? ` · ETA ${eta}` : ''} · {formatTime(run.updatedAt)}
              </div>
              {/* Always rendered, empty when fine: an error appearing must not change the row's height. */}
              <div className="error small one-line">
                {run.error &&
                  `${run.error}${run.status === 'error' ? ' — failed' : ` — retrying (attempt ${run.attempt ?? 2})`}`}
              </div>
            </li>
          );
        })}
        {ordered.length === 0 && <li className="muted">No agent runs yet</li>}
      </ul>
    </section>
  );
}
