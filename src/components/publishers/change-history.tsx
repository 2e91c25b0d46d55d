'use client';
import type { PublisherChange } from '../../react/index.ts';
import { formatTime } from '../format.ts';
import { labelOf, textOf } from './record-fields.ts';

export interface ChangeHistoryProps {
  readonly changes: readonly PublisherChange[];
  /** A person's display name (never an id). */
  readonly nameOf: (userId: string) => string;
  readonly hasOlder: boolean;
  readonly loading: boolean;
  readonly onLoadOlder: () => void;
}

/** What a value looks like in the history: people by name, nothing as "none". */
function show(field: string, value: unknown, nameOf: (userId: string) => string): string {
  if (value === null || value === undefined) return 'none';
  if (field === 'owner_id' && typeof value === 'string') return nameOf(value);
  return textOf(value);
}

/** "Changes": who changed which field when, old → new, newest first, with "Load older". */
export function ChangeHistory({ changes, nameOf, hasOlder, loading, onLoadOlder }: ChangeHistoryProps) {
  return (
    <section className="card history" aria-labelledby="history-title">
      <h2 id="history-title">Changes</h2>
      <ol aria-label="Change history" className="history-list">
        {changes.map((change) => (
          <li key={change.id} data-version={change.version}>
            <span className="who">{change.changedBy ? nameOf(change.changedBy) : 'Someone'}</span>{' '}
            {change.version === 1 ? 'created' : 'changed'} <strong>{labelOf(change.field)}</strong>:{' '}
            {change.version === 1 ? '' : `${show(change.field, change.oldValue, nameOf)} → `}
            {show(change.field, change.newValue, nameOf)}
            <div className="muted small">
              version {change.version} · {formatTime(change.changedAt)}
            </div>
          </li>
        ))}
        {changes.length === 0 && <li className="muted">No changes yet</li>}
      </ol>
      {hasOlder && (
        <button type="button" onClick={onLoadOlder} disabled={loading}>
          {loading ? 'Loading…' : 'Load older changes'}
        </button>
      )}
    </section>
  );
}
