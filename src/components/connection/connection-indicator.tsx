'use client';

type ConnectionStatus = 'initial' | 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface ConnectionIndicatorProps {
  readonly status: ConnectionStatus;
  readonly latencyMs: number | null;
  /** True between a `lost` event and the next `restored`: the UI says so plainly. */
  readonly lost: boolean;
  /** Channels refused or failing while the socket may be up, with the server's reason. */
  readonly degraded?: { readonly topics: readonly string[]; readonly reason: string } | null;
  /** `delayed` while the project is over a Realtime quota: data shown may be seconds old. */
  readonly delivery?: 'live' | 'delayed';
}

type Label = 'Idle' | 'Connected' | 'Degraded' | 'Updates delayed' | 'Reconnecting' | 'Connecting' | 'Connection lost';

/** What the indicator says, in the words the tests and users look for. */
function connectionLabel({ status, lost, degraded, delivery }: Omit<ConnectionIndicatorProps, 'latencyMs'>): Label {
  if (status === 'idle') return 'Idle';
  if (lost || status === 'disconnected') return 'Connection lost';
  switch (status) {
    case 'connected':
      // RATIONALE: "Connected" while the server refuses some of the page's channels would claim
      // live data that is not arriving; the reason is shown beside it. Over a quota, updates still
      // arrive, seconds late, through catch-up.
      if (degraded) return 'Degraded';
      return delivery === 'delayed' ? 'Updates delayed' : 'Connected';
    case 'reconnecting':
      return 'Reconnecting';
    case 'initial':
    case 'connecting':
      return 'Connecting';
  }
}

const TONE: Record<Label, 'ok' | 'wait' | 'bad'> = {
  Idle: 'wait',
  Connected: 'ok',
  Degraded: 'wait',
  'Updates delayed': 'wait',
  Reconnecting: 'wait',
  Connecting: 'wait',
  'Connection lost': 'bad',
};

/**
 * `role="status"` named "Connection": "Connected (12 ms)" / "Degraded · <reason>" / "Updates delayed" /
 * "Reconnecting" / "Connection lost" / "Idle" (nothing on the page is live).
 */
export function ConnectionIndicator(props: ConnectionIndicatorProps) {
  const label = connectionLabel(props);
  const channels = props.degraded?.topics.length ?? 0;
  // Why the data may be a few seconds old, for whoever hovers: the project is over its quota.
  const title =
    label === 'Updates delayed'
      ? 'The project is over its Realtime quota: updates arrive a few seconds late'
      : undefined;
  return (
    <div role="status" aria-label="Connection" className={`connection connection-${TONE[label]}`} title={title}>
      <span className="dot" aria-hidden="true" />
      <span>{label}</span>
      {label === 'Connected' && props.latencyMs !== null && (
        <span className="muted"> · heartbeat {Math.round(props.latencyMs)} ms</span>
      )}
      {label === 'Degraded' && props.degraded && (
        <span className="muted">
          {' '}
          · {channels === 1 ? '1 channel' : `${channels} channels`} not receiving: {props.degraded.reason}
        </span>
      )}
    </div>
  );
}
