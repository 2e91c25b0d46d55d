import { z } from 'zod';
import { DEFAULT_CATCH_UP_INTERVAL_MS, DEFAULT_CHANNEL_GRACE_MS } from './timing.ts';

/**
 * How long a REST read may go unanswered: above the 8 s statement timeout Supabase gives the
 * `authenticated` role, so a slow query ends with the database's own error first, and a read that
 * is still silent after that is one that will never answer.
 */
const DEFAULT_READ_TIMEOUT_MS = 10_000;
/**
 * How long the socket may stay CONNECTING before it is dropped and opened again: a WebSocket
 * handshake takes a round trip or two, so one that has not finished in 10 s went into a black
 * hole (a dead route, a proxy that swallowed it), where the browser would wait for minutes.
 */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Long enough that a blip (a proxy recycling the socket) never shows a toast. */
const DEFAULT_LOST_CONNECTION_TIMEOUT_MS = 5000;
/** Lost this long is `failed` (the client keeps trying after that). */
const DEFAULT_FAILED_CONNECTION_TIMEOUT_MS = 60_000;

/** The timing options of createRealtimeClient, in milliseconds. */
export interface TimingOptions {
  /** After this long without a connection, `lost` fires (default 5 s). */
  readonly lostConnectionTimeoutMs?: number;
  /** After this long lost, `failed` fires (default 60 s); the client keeps trying. */
  readonly failedConnectionTimeoutMs?: number;
  /** Periodic catch-up of persisted streams (default 2.5 s; see catch-up.ts). */
  readonly catchUpIntervalMs?: number;
  /** How long a released channel lives on (default 1.5 s). */
  readonly channelGraceMs?: number;
  /** A REST read (backfill, catch-up) unanswered this long is aborted and reported (default 10 s). */
  readonly readTimeoutMs?: number;
  /** A socket still connecting after this long is dropped and opened again (default 10 s; doubled after each timeout in a row). */
  readonly connectTimeoutMs?: number;
}

export type Timings = { readonly [K in keyof TimingOptions]-?: number };

const duration = (name: string, fallback: number, min: 'zero' | 'positive') => {
  const base = z.number({ error: `${name} must be a number of milliseconds` }).finite(`${name} must be finite`);
  return (min === 'zero' ? base.min(0, `${name} must be 0 or more`) : base.positive(`${name} must be above 0`))
    .optional()
    .transform((value) => value ?? fallback);
};

const timingsSchema = z.object({
  lostConnectionTimeoutMs: duration('lostConnectionTimeoutMs', DEFAULT_LOST_CONNECTION_TIMEOUT_MS, 'zero'),
  failedConnectionTimeoutMs: duration('failedConnectionTimeoutMs', DEFAULT_FAILED_CONNECTION_TIMEOUT_MS, 'zero'),
  catchUpIntervalMs: duration('catchUpIntervalMs', DEFAULT_CATCH_UP_INTERVAL_MS, 'positive'),
  channelGraceMs: duration('channelGraceMs', DEFAULT_CHANNEL_GRACE_MS, 'zero'),
  readTimeoutMs: duration('readTimeoutMs', DEFAULT_READ_TIMEOUT_MS, 'positive'),
  connectTimeoutMs: duration('connectTimeoutMs', DEFAULT_CONNECT_TIMEOUT_MS, 'positive'),
});

/** The options with their defaults; a value that is not a usable duration throws a RangeError naming it (a programming error). */
export function resolveTimings(options: TimingOptions): Timings {
  const parsed = timingsSchema.safeParse({
    lostConnectionTimeoutMs: options.lostConnectionTimeoutMs,
    failedConnectionTimeoutMs: options.failedConnectionTimeoutMs,
    catchUpIntervalMs: options.catchUpIntervalMs,
    channelGraceMs: options.channelGraceMs,
    readTimeoutMs: options.readTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs,
  });
  if (!parsed.success) throw new RangeError(parsed.error.issues.map((issue) => issue.message).join('; '));
  return parsed.data;
}
