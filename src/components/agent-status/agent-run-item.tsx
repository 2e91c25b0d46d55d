'use client';
import type { AgentRun } from '../../react/index.ts';
import { formatEta, formatResult, formatTime, ordinal } from '../format.ts';

export interface AgentRunControls {
  /** Whether the viewer may cancel or retry this run (owners, admins, agent accounts, its requester). */
  readonly canControl: (run: AgentRun) => boolean;
  readonly onCancel: (run: AgentRun) => void;
  readonly onRetry: (run: AgentRun) => void;
}

function percent(run: AgentRun): number {
  if (run.status === 'completed') return 100;
  return Math.round(run.progress?.progress ?? 0);
}

/** What the badge says: the status, or "stalled" for a processing run whose lease ran out. */
function shownStatus(run: AgentRun): string {
  return run.stalled ? 'stalled' : run.status;
}

function queueText(run: AgentRun): string | null {
  if (run.status !== 'queued') return null;
  return run.queuePosition != null ? `${ordinal(run.queuePosition)} in queue` : 'in queue';
}

function detailText(run: AgentRun): string {
  const task = run.progress?.currentTask;
  if (run.status === 'completed') return formatResult(run.result) ?? task ?? 'Done';
  if (run.status === 'cancelled') return task ? `${task} (cancelled)` : 'Cancelled';
  if (run.stalled) return `${task ?? 'Working'}: no report before its lease ran out`;
  return task ?? 'Waiting';
}

function errorText(run: AgentRun): string {
  if (!run.error) return '';
  if (run.status === 'error') return `${run.error} — failed`;
  if ((run.attempt ?? 1) > 1 && (run.status === 'queued' || run.status === 'processing'))
    return `${run.error} — retrying (attempt ${run.attempt})`;
  return run.error;
}

/** One run: agent, status, queue position, attempt, progress bar, task or result, error, controls. */
export function AgentRunItem({ run, controls }: { run: AgentRun; controls: AgentRunControls }) {
  const value = percent(run);
  const eta = formatEta(run.progress?.estimatedTime);
  const queue = queueText(run);
  const status = shownStatus(run);
  const mayControl = controls.canControl(run);
  const cancellable = run.status === 'queued' || run.status === 'processing' || run.status === 'idle';
  const retryable = run.status === 'error' || run.stalled;
  return (
    <li id={`run-${run.runId}`} data-run-id={run.runId} data-status={status} data-agent-id={run.agentId}>
      <div className="agent-head">
        <strong>{run.agentId}</strong>
        <span className={`badge badge-${status}`}>{status}</span>
        {queue && <span className="muted">{queue}</span>}
        {(run.attempt ?? 1) > 1 && <span className="muted">attempt {run.attempt}</span>}
        {mayControl && cancellable && (
          <button
            type="button"
            className="link"
            aria-label={`Cancel ${run.agentId} run`}
            onClick={() => controls.onCancel(run)}
          >
            Cancel
          </button>
        )}
        {mayControl && retryable && (
          <button
            type="button"
            className="link"
            aria-label={`Retry ${run.agentId} run`}
            onClick={() => controls.onRetry(run)}
          >
            Retry
          </button>
        )}
      </div>
      <div
        role="progressbar"
        aria-label={run.agentId}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
        aria-valuetext={`${value}% ${status}`}
        className="bar"
      >
        <div className="bar-fill" style={{ width: `${value}%` }} />
      </div>
      <div className="muted small one-line">
        {value}% · {detailText(run)}
        {eta && run.status === 'processing' && !run.stalled ? ` · ETA ${eta}` : ''} · {formatTime(run.updatedAt)}
      </div>
      {/* Always rendered, empty when fine: an error appearing must not change the row's height. */}
      <div className="error small one-line">{errorText(run)}</div>
    </li>
  );
}
