'use client';
import { useEffect, useRef } from 'react';
import type { SaveConflict } from '../../react/index.ts';
import { labelOf } from './record-fields.ts';

function show(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export interface ConflictDialogProps {
  readonly conflicts: readonly SaveConflict[];
  /** A person's display name (never an id). */
  readonly nameOf: (userId: string) => string;
  readonly onKeepTheirs: () => void;
  readonly onOverwrite: () => void;
}

/** `role="dialog"` named "Conflict": someone saved the same fields first; keep theirs or overwrite. */
export function ConflictDialog({ conflicts, nameOf, onKeepTheirs, onOverwrite }: ConflictDialogProps) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <div className="dialog-backdrop">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="conflict-title"
        aria-describedby="conflict-text"
        className="dialog"
        onKeyDown={(e) => e.key === 'Escape' && onKeepTheirs()}
      >
        <h2 id="conflict-title">Conflict</h2>
        <p id="conflict-text">Someone else saved these fields while you were editing.</p>
        <table>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Yours</th>
              <th scope="col">Theirs</th>
            </tr>
          </thead>
          <tbody>
            {conflicts.map((c) => (
              <tr key={c.field}>
                <td>{labelOf(c.field)}</td>
                <td>{show(c.yours)}</td>
                <td>
                  {show(c.current)}
                  <div className="muted small">{c.updatedBy ? `by ${nameOf(c.updatedBy)}` : ''}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="actions">
          <button type="button" ref={first} onClick={onKeepTheirs}>
            Keep theirs
          </button>
          <button type="button" onClick={onOverwrite}>
            Overwrite with mine
          </button>
        </div>
      </div>
    </div>
  );
}
