'use client';
import { useState } from 'react';
import { useWebSocket } from '../../react/index.ts';
import { SIMULATED_TYPES, simulatedMessage, type SimulatedType, type SimulationContext } from './simulated-messages.ts';

type Outcome = { readonly ok: boolean; readonly text: string };

/** The seed's test functions: "Simulate <type>" buttons sending through the bridge as the user; answers shown. */
export function SimulatePanel({ context }: { context: SimulationContext }) {
  const { sendMessage } = useWebSocket();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [pending, setPending] = useState<SimulatedType | null>(null);

  async function simulate(type: SimulatedType) {
    setPending(type);
    const result = await sendMessage(simulatedMessage(type, context));
    setOutcome(
      result.ok
        ? { ok: true, text: `${type} sent (${result.id})` }
        : { ok: false, text: `${type} refused: ${result.error.message}` },
    );
    setPending(null);
  }

  return (
    <section className="card" aria-labelledby="simulate-title">
      <h2 id="simulate-title">Test functions</h2>
      <div className="simulate">
        {SIMULATED_TYPES.map((type) => (
          <button key={type} type="button" disabled={pending !== null} onClick={() => void simulate(type)}>
            Simulate {type}
          </button>
        ))}
      </div>
      <p
        role={outcome && !outcome.ok ? 'alert' : 'status'}
        aria-label="Simulation result"
        className={outcome && !outcome.ok ? 'error small' : 'muted small'}
      >
        {outcome?.text ?? 'Each button sends one message through the bridge as you.'}
      </p>
    </section>
  );
}
