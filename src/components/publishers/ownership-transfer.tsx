'use client';
import { useState } from 'react';
import type { Person, Publisher, SaveResult } from '../../react/index.ts';

export interface OwnershipTransferProps {
  readonly publisher: Publisher | null;
  /** The organisation's people (the live roster). */
  readonly people: readonly Person[];
  /** The organisation's owners and admins and the record's owner transfer; others see who owns it. */
  readonly mayTransfer: boolean;
  /** A person's display name (never an id). */
  readonly nameOf: (userId: string) => string;
  readonly onTransfer: (ownerId: string | null) => Promise<SaveResult>;
}

/**
 * Who may own `publisher`: a person (not an agent account) who may see its territory — the rule
 * the database enforces (private.may_own_publisher), applied to the live roster so that the list
 * follows role and territory changes. A null territory is for unrestricted people only.
 */
function mayOwn(person: Person, publisher: Publisher): boolean {
  if (person.role === 'agent') return false;
  if (person.role === 'owner' || person.role === 'admin' || person.territories.length === 0) return true;
  return publisher.territory !== null && person.territories.includes(publisher.territory);
}

/**
 * "Owner": who owns the record, and for those who may a transfer to another person. The database
 * has the last word (who may transfer to whom); a refusal is shown as it gave it.
 */
export function OwnershipTransfer({ publisher, people, mayTransfer, nameOf, onTransfer }: OwnershipTransferProps) {
  const [choice, setChoice] = useState<string | null>(null);
  const [state, setState] = useState<{ busy: boolean; refusal: string | null; done: string | null }>({
    busy: false,
    refusal: null,
    done: null,
  });
  const current = publisher?.ownerId ?? '';
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
                .filter((p) => publisher !== null && mayOwn(p, publisher))
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
        <p className="muted small">Owners, admins and the record's owner transfer ownership.</p>
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
