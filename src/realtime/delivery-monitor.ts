import type { SupabaseClient } from '@supabase/supabase-js';
import type { Environment, TimerHandle } from './environment.ts';
import { RealtimeError } from './realtime-error.ts';
import type { Database } from '../contract/index.ts';

/*
 * RATIONALE: over its messages-per-second quota Realtime drops database broadcasts without a word
 * (§8.3), and the catch-up brings what was dropped a few seconds late. So that a person is told,
 * instead of being shown stale data in silence, the client watches three signals of quota
 * pressure and turns them into one status, `delayed`:
 *   - the quota probe: Realtime's `GET /api/ping` passes its rate limiter, which answers 429 while
 *     the project's 60-second average of messages/s is at or over the quota, exactly while
 *     database broadcasts are being dropped (§3.6, §8.2);
 *   - a channel closed or refused for a limit ("Too many messages per second", "Too many presence
 *     messages per second", "…RateLimitReached…");
 *   - a live stream that lost a broadcast (an agent run whose previous broadcast never came).
 * `delayed` lasts while the probe says so, and for DELAYED_HOLD_MS after any other evidence.
 */

export type DeliveryStatus = 'live' | 'delayed';

/** Realtime's words for a limit (quota errors of docs/capacity.md). */
const RATE_LIMIT_REASON = /too many|rate ?limit/i;

/** True when a channel's failure reason is one of Realtime's quota errors. */
export function isRateLimitReason(reason: string): boolean {
  return RATE_LIMIT_REASON.test(reason);
}

/**
 * How often a running client asks whether the project is over its quota: soon enough that a tab
 * says "updates delayed" within seconds of it starting, rare enough that even 200 tabs ask about
 * 13 times a second (the ping is not a Realtime message and does not count against the quota).
 */
export const DEFAULT_QUOTA_PROBE_INTERVAL_MS = 15_000;
/** While delayed, ask this often, so "updates delayed" clears soon after the project is under quota again. */
const DELAYED_PROBE_MS = 5_000;
/**
 * Evidence other than the probe holds `delayed` this long: longer than a catch-up interval (2.5 s),
 * so the gap it revealed has closed by the time the status says "live" again.
 */
const DELAYED_HOLD_MS = 10_000;

export interface DeliveryMonitorOptions {
  readonly supabase: SupabaseClient<Database>;
  readonly env: Environment;
  /** 0 turns the probe off (the other signals still count). */
  readonly probeIntervalMs: number;
  readonly onChange: (status: DeliveryStatus) => void;
  /** Where evidence is reported (the connection's `lastError`, the client's `onError`). */
  readonly report: (error: RealtimeError) => void;
}

export interface DeliveryMonitor {
  /** Evidence of quota pressure: a channel closed or refused for a limit, or a lost broadcast. */
  notice(source: 'channel' | 'gap', what: string): void;
  start(): void;
  stop(): void;
}

/** `<project>/realtime/v1/api/ping`, beside the socket's URL. */
export function realtimePingUrl(supabase: SupabaseClient<Database>): string {
  const url = new URL(supabase.realtime.endPoint);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = url.pathname.replace(/\/(socket\/)?websocket$/, '') + '/api/ping';
  url.search = '';
  return url.toString();
}

export function createDeliveryMonitor(options: DeliveryMonitorOptions): DeliveryMonitor {
  const { supabase, env } = options;
  let running = false;
  let limitedByProbe = false;
  let heldUntil = 0;
  let status: DeliveryStatus = 'live';
  let probeTimer: TimerHandle | undefined;
  let holdTimer: TimerHandle | undefined;
  let probing = false;
  let lastProbeAt = -Infinity;

  const evaluate = (): void => {
    const next: DeliveryStatus = limitedByProbe || env.now() < heldUntil ? 'delayed' : 'live';
    if (next === status) return;
    status = next;
    options.onChange(status);
  };

  const schedule = (ms: number): void => {
    if (probeTimer !== undefined) env.timers.clearTimeout(probeTimer);
    probeTimer = running && options.probeIntervalMs > 0 ? env.timers.setTimeout(() => void probe(), ms) : undefined;
  };

  const probe = async (): Promise<void> => {
    if (!running || probing) return;
    probing = true;
    lastProbeAt = env.now();
    try {
      const apikey = supabase.realtime.apiKey;
      const response = await env.fetch(realtimePingUrl(supabase), apikey ? { headers: { apikey } } : {});
      await response.body?.cancel();
      const limited = response.status === 429;
      if (limited && !limitedByProbe)
        options.report(
          new RealtimeError(
            { kind: 'rate_limit', source: 'probe' },
            'Realtime is over its messages-per-second quota: updates arrive late',
          ),
        );
      limitedByProbe = limited;
    } catch {
      // An unreachable Realtime is the connection's business (status), not a quota signal.
    } finally {
      probing = false;
    }
    evaluate();
    schedule(status === 'delayed' ? DELAYED_PROBE_MS : options.probeIntervalMs);
  };

  return {
    notice(source, what) {
      // Reported once per episode: a burst of lost broadcasts is one "updates delayed".
      if (status === 'live')
        options.report(new RealtimeError({ kind: 'rate_limit', source }, `Updates delayed: ${what}`));
      heldUntil = env.now() + DELAYED_HOLD_MS;
      if (holdTimer !== undefined) env.timers.clearTimeout(holdTimer);
      holdTimer = env.timers.setTimeout(evaluate, DELAYED_HOLD_MS + 1);
      evaluate();
      // Is it the quota? The probe says, and keeps watching until it is over; never more often than DELAYED_PROBE_MS.
      if (running && !probing) schedule(Math.max(0, lastProbeAt + DELAYED_PROBE_MS - env.now()));
    },
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    stop() {
      running = false;
      schedule(0);
      if (holdTimer !== undefined) env.timers.clearTimeout(holdTimer);
      holdTimer = undefined;
      limitedByProbe = false;
      heldUntil = 0;
      evaluate();
    },
  };
}
