'use client';

type ConnectionStatus = 'initial' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface ConnectionIndicatorProps {
  readonly status: ConnectionStatus;
  readonly latencyMs: number | null;
  /** True between a `lost` event and the next `restored`: the UI says so plainly. */
  readonly lost: boolean;
  /** `delayed` while the project is over a Realtime quota: data shown may be seconds old. */
  readonly delivery?: 'live' | 'delayed';
}

/** What the indicator says, in the words the tests and users look for. */
function connectionLabel({
  status,
  lost,
  delivery,
}: Pick<ConnectionIndicatorProps, 'status' | 'lost' | 'delivery'>): string {
  if (lost || status === 'disconnected') return 'Connection lost';
  switch (status) {
    case 'connected':
      return delivery === 'delayed' ? 'Updates delayed' : 'Connected';
    case 'reconnecting':
      return 'Reconnecting';
    case 'initial':
    case 'connecting':
      return 'Connecting';
  }
}

/**
 * `role="status"` named "Connection": "Connected (12 ms)" / "Updates delayed" / "Reconnecting" /
 * "Connection lost".
 */
export function ConnectionIndicator(props: ConnectionIndicatorProps) {
  const label = connectionLabel(props);
  const tone = label === 'Connected' ? 'ok' : label === 'Connection lost' ? 'bad' : 'wait';
  // Why the data may be a few seconds old, for whoever hovers: the project is over its quota.
  const title =
    label === 'Updates delayed'
      ? 'The project is over its Realtime quota: updates arrive a few seconds late'
      : undefined;
  return (
    <div role="status" aria-label="Connection" className={`connection connection-${tone}`} title={title}>
      <span className="dot" aria-hidden="true" />
      <span>{label}</span>
      {label === 'Connected' && props.latencyMs !== null && (
        <span className="muted"> · heartbeat {Math.round(props.latencyMs)} ms</span>
      )}
    </div>
  );
}
