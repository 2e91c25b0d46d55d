'use client';
import { useState } from 'react';
import type { MessageType } from '../../contract/index.ts';
import { SIMULATED_TYPES, simulatedMessage, type SimulationContext } from './simulated-messages.ts';

type Outcome = { readonly type: MessageType; readonly ok: boolean; readonly text: string };

/** Sends one message through POST /api/websocket (the bridge, as the signed-in user). */
async function sendThroughBridge(type: MessageType, ctx: SimulationContext): Promise<Outcome> {
  try {
    const response = await fetch('/api/websocket', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(simulatedMessage(type, ctx)),
    });
    const body: unknown = await response.json().catch(() => null);
    if (response.ok) return { type, ok: true, text: `${type} sent (${response.status})` };
    const message =
      typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'object' && body.error !== null && 'message' in body.error
        ? String(body.error.message)
        : response.statusText;
    return { type, ok: false, text: `${type} refused (${response.status}): ${message}` };
  } catch (error) {
    return { type, ok: false, text: `${type} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The seed's test functions: "Simulate <type>" buttons, with the bridge's answer shown. */
export function SimulatePanel({ context }: { context: SimulationContext }) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [pending, setPending] = useState<MessageType | null>(null);
  return (
    <section className="card" aria-labelledby="simulate-title">
      <h2 id="simulate-title">Test functions</h2>
      <div className="simulate">
        {SIMULATED_TYPES.map((type) => (
          <button
            key={type}
            type="button"
            disabled={pending !== null}
            onClick={async () => {
              setPending(type);
              setOutcome(await sendThroughBridge(type, context));
              setPending(null);
            }}
          >
            Simulate {type}
          </button>
        ))}
      </div>
      <p role={outcome && !outcome.ok ? 'alert' : 'status'} aria-label="Simulation result" className={outcome && !outcome.ok ? 'error small' : 'muted small'}>
        {outcome?.text ?? 'Each button sends one message through the bridge as you.'}
      </p>
    </section>
  );
}
