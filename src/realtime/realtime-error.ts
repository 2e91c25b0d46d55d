/**
 * The one error type of the realtime core. Non-fatal problems (a message that fails the contract,
 * a channel refused by the server, a backfill that failed) are reported as events carrying one of
 * these, never thrown into a caller's render.
 */

export type RealtimeErrorContext =
  /** A broadcast or row that does not follow the contract, or arrived on a topic that may not carry it. */
  | { readonly kind: 'invalid_message'; readonly topic: string; readonly event: string }
  /** The server refused or closed a channel; `reason` is its exact words. */
  | { readonly kind: 'channel'; readonly topic: string; readonly status: ChannelFailure; readonly reason: string }
  /** A REST read (backfill, catch-up) or write (save, post) failed. */
  | { readonly kind: 'request'; readonly operation: string; readonly status?: number }
  /** The access token could not be refreshed. */
  | { readonly kind: 'auth' }
  /** The socket could not be opened (`reason` says what the client does about it). */
  | { readonly kind: 'connection'; readonly reason: string }
  /**
   * The project is over a Realtime quota (messages/s, presence, joins, connections): Realtime
   * refused or dropped something, so updates arrive late, through catch-up (docs/capacity.md).
   * `source` says how the client knows: the quota probe, a channel closed or refused for a limit,
   * or a live stream that lost a broadcast.
   */
  | { readonly kind: 'rate_limit'; readonly source: 'probe' | 'channel' | 'gap' };

export type ChannelFailure = 'CHANNEL_ERROR' | 'TIMED_OUT' | 'CLOSED';

export class RealtimeError extends Error {
  override readonly name = 'RealtimeError';
  readonly context: RealtimeErrorContext;

  constructor(context: RealtimeErrorContext, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.context = context;
  }

  /** Wraps anything thrown or returned as an error (supabase-js errors, strings, Error) without losing it. */
  static from(context: RealtimeErrorContext, cause: unknown): RealtimeError {
    if (cause instanceof RealtimeError) return cause;
    return new RealtimeError(context, describe(cause), { cause });
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  if (typeof cause === 'string') return cause;
  if (typeof cause === 'object' && cause !== null && 'message' in cause && typeof cause.message === 'string') {
    return cause.message;
  }
  return JSON.stringify(cause) ?? String(cause);
}
