'use client';
import { useState } from 'react';
import type { Person, Publisher, SaveResult } from '../../react/index.ts';
import { shortId } from '../format.ts';

export interface OwnershipTransferProps {
  readonly publisher: Publisher | null;
  readonly people: readonly Person[];
  /** Owners and admins transfer; others see who owns the record. */
  readonly mayTransfer: boolean;
  readonly onTransfer: (ownerId: string | null) => Promise<SaveResult>;
}

/**
 * "Owner": who owns the record, and for owners and admins a transfer to another person. The
 * database has the last word (who may transfer to whom); a refusal is shown as it gave it.
 */
export function OwnershipTransfer({ publisher, people, mayTransfer, onTransfer }: OwnershipTransferProps) {
  const [choice, setChoice] = useState<string | null>(null);
  const [state, setState] = useState<{ busy: boolean; refusal: string | null; done: string | null }>({
    busy: false,
    refusal: null,
    done: null,
  });
  const current = publisher?.ownerId ?? '';
  const nameOf = (id: string) => people.find((p) => p.userId === id)?.displayName ?? shortId(id);
  const selected = choice ?? current;

  async function transfer() {
    if (selected === current) return;
    setState({ busy: true, refusal: null, done: null });
    const result = await onTransfer(selected || null);
    if (result.ok) {
      setChoice(null);
      setState({ busy: false, refusal: null, done: selected ? `Transferred to ${nameOf(selected)}` : 'Owner removed' });
    } else {
      const reason =
        result.conflicts.length > 0
          ? 'someone else changed the owner meanwhile; look again and retry'
          : (result.error?.message ?? 'refused');
      setState({ busy: false, refusal: reason, done: null });
    }
  }

  return (
    <section className="card ownership" aria-labelledby="owner-title">
      <h2 id="owner-title">Owner</h2>
      <p>{current ? nameOf(current) : 'Nobody'}</p>
      {mayTransfer ? (
        <div className="actions">
          <label>
            Transfer to{' '}
            <select value={selected} disabled={!publisher || state.busy} onChange={(e) => setChoice(e.target.value)}>
              <option value="">Nobody</option>
              {people
                .filter((p) => p.role !== 'agent')
                .map((p) => (
                  <option key={p.userId} value={p.userId}>
                    {p.displayName}
                  </option>
                ))}
            </select>
          </label>
          <button type="button" onClick={() => void transfer()} disabled={state.busy || selected === current}>
            {state.busy ? 'Transferring…' : 'Transfer ownership'}
          </button>
        </div>
      ) : (
        <p className="muted small">Owners and admins transfer ownership.</p>
      )}
      {state.refusal && (
        <p role="alert" className="error small">
          Not transferred: {state.refusal}
        </p>
      )}
      {state.done && (
        <p role="status" className="small">
          {state.done}
        </p>
      )}
    </section>
  );
}
