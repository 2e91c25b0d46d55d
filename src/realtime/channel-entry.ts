import type { RealtimeChannel } from '@supabase/supabase-js';
import type { ChannelListener, ChannelState, ChannelStateEntry } from './channel-types.ts';
import type { TimerHandle } from './environment.ts';
import type { LatestValueLimiter } from './rate-limiter.ts';

/** The channel registry's state of one topic (channel-registry.ts). */
export interface Entry {
  readonly topic: string;
  readonly listeners: Set<ChannelListener>;
  channel: RealtimeChannel | undefined;
  joined: boolean;
  /** Left by `revoke`: kept for its handles, never (re)opened until `readmit`. */
  revoked: boolean;
  /** Joins the server refused in a row (no permission), for the refusal backoff. */
  refusals: number;
  /** The server confirmed the channel's Postgres changes subscription. */
  postgresReady: boolean;
  attempt: number;
  /** The latest payload tracked on this topic, sent again after every re-join. */
  presence: Record<string, unknown> | undefined;
  /** What the current channel last sent to the server. */
  sentPresence: Record<string, unknown> | undefined;
  readonly tracker: LatestValueLimiter<Record<string, unknown>>;
  lastSystemError: string | undefined;
  /** The reason of the last failure, until the next successful join. */
  failure: string | undefined;
  grace: TimerHandle | undefined;
  retry: TimerHandle | undefined;
}

export function newEntry(topic: string, tracker: LatestValueLimiter<Record<string, unknown>>): Entry {
  return {
    topic,
    listeners: new Set(),
    channel: undefined,
    joined: false,
    revoked: false,
    refusals: 0,
    postgresReady: false,
    attempt: 0,
    presence: undefined,
    sentPresence: undefined,
    tracker,
    lastSystemError: undefined,
    failure: undefined,
    grace: undefined,
    retry: undefined,
  };
}

function stateOf(entry: Entry): ChannelState {
  if (entry.joined) return 'joined';
  if (entry.refusals > 0) return 'refused';
  return entry.retry !== undefined ? 'retrying' : 'joining';
}

export function stateEntryOf(entry: Entry): ChannelStateEntry {
  const reason = entry.joined ? undefined : entry.failure;
  return { topic: entry.topic, state: stateOf(entry), ...(reason !== undefined ? { reason } : {}) };
}

/** The entry's channel is gone (failed or torn down): a new one starts unjoined, with no presence. */
export function forgetChannel(entry: Entry): void {
  entry.channel = undefined;
  entry.joined = false;
  entry.postgresReady = false;
  entry.sentPresence = undefined;
}
