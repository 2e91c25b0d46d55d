'use client';

type ConnectionStatus = 'initial' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface ConnectionIndicatorProps {
  readonly status: ConnectionStatus;
  readonly latencyMs: number | null;
  /** True between a `lost` event and the next `restored`: the UI says so plainly. */
  readonly lost: boolean;
}

/** What the indicator says, in the words the tests and users look for. */
function connectionLabel({ status, lost }: Pick<ConnectionIndicatorProps, 'status' | 'lost'>): string {
  if (lost || status === 'disconnected') return 'Connection lost';
  switch (status) {
    case 'connected':
      return 'Connected';
    case 'reconnecting':
      return 'Reconnecting';
    case 'initial':
    case 'connecting':
      return 'Connecting';
  }
}

/** `role="status"` named "Connection": "Connected (12 ms)" / "Reconnecting" / "Connection lost". */
export function ConnectionIndicator(props: ConnectionIndicatorProps) {
  const label = connectionLabel(props);
  const tone = label === 'Connected' ? 'ok' : label === 'Connection lost' ? 'bad' : 'wait';
  return (
    <div role="status" aria-label="Connection" className={`connection connection-${tone}`}>
      <span className="dot" aria-hidden="true" />
      <span>{label}</span>
      {label === 'Connected' && props.latencyMs !== null && (
        <span className="muted"> · heartbeat {Math.round(props.latencyMs)} ms</span>
      )}
    </div>
  );
}
