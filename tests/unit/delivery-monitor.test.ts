/**
 * The delivery status on a manual clock: the quota probe asks Realtime's ping (429 while the
 * project is at or over its messages/s quota) and the status follows it; other evidence (a channel
 * closed for a limit, a lost broadcast) holds "delayed" for a while and brings the next probe
 * forward; one report per episode; nothing after stop. The probe's answers are given by the test
 * (the real ping under a real quota is in tests/integration/flood.integration.test.ts).
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import {
  createDeliveryMonitor,
  isRateLimitReason,
  realtimePingUrl,
  type DeliveryStatus,
} from '../../src/realtime/delivery-monitor.ts';
import type { Environment } from '../../src/realtime/environment.ts';
import type { RealtimeError } from '../../src/realtime/realtime-error.ts';

const supabase = {
  realtime: { endPoint: 'wss://abc.supabase.co/realtime/v1/websocket', apiKey: 'anon-key' },
} as unknown as SupabaseClient;

function harness(probeIntervalMs = 15_000) {
  let time = 0;
  let answer = 200;
  const timers: { at: number; callback: () => void }[] = [];
  const asked: { url: string; apikey: string | undefined; at: number }[] = [];
  const env: Environment = {
    now: () => time,
    timers: {
      setTimeout: (callback, ms) => {
        const timer = { at: time + ms, callback };
        timers.push(timer);
        return timer;
      },
      clearTimeout: (handle) => {
        const at = timers.indexOf(handle as (typeof timers)[number]);
        if (at >= 0) timers.splice(at, 1);
      },
    },
    requestFrame: (callback) => void callback(),
    fetch: (input, init) => {
      asked.push({ url: String(input), apikey: (init?.headers as Record<string, string>).apikey, at: time });
      return Promise.resolve(new Response(null, { status: answer }));
    },
  };
  const statuses: DeliveryStatus[] = [];
  const reports: RealtimeError[] = [];
  const monitor = createDeliveryMonitor({
    supabase,
    env,
    probeIntervalMs,
    onChange: (status) => statuses.push(status),
    report: (error) => reports.push(error),
  });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return {
    monitor,
    statuses,
    reports,
    asked,
    answer: (status: number) => void (answer = status),
    async advance(ms: number) {
      const until = time + ms;
      for (;;) {
        const next = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        time = next.at;
        timers.splice(timers.indexOf(next), 1);
        next.callback();
        await settle();
      }
      time = until;
      await settle();
    },
  };
}

describe('delivery monitor', () => {
  it('asks Realtime’s ping with the API key, at start and then every interval', async () => {
    const h = harness();
    h.monitor.start();
    await h.advance(0);
    await h.advance(30_000);
    expect(realtimePingUrl(supabase)).toBe('https://abc.supabase.co/realtime/v1/api/ping');
    expect(h.asked).toEqual([
      { url: 'https://abc.supabase.co/realtime/v1/api/ping', apikey: 'anon-key', at: 0 },
      { url: 'https://abc.supabase.co/realtime/v1/api/ping', apikey: 'anon-key', at: 15_000 },
      { url: 'https://abc.supabase.co/realtime/v1/api/ping', apikey: 'anon-key', at: 30_000 },
    ]);
    expect(h.statuses).toEqual([]);
  });

  it('is delayed while the ping answers 429, asks every 5 s meanwhile, and live again once it does not', async () => {
    const h = harness();
    h.monitor.start();
    await h.advance(0);
    h.answer(429);
    await h.advance(15_000);
    expect(h.statuses).toEqual(['delayed']);
    expect(h.reports.map((r) => r.context)).toEqual([{ kind: 'rate_limit', source: 'probe' }]);
    await h.advance(10_000); // two more probes, still over: no second report
    expect(h.asked.map((a) => a.at)).toEqual([0, 15_000, 20_000, 25_000]);
    expect(h.reports).toHaveLength(1);
    h.answer(200);
    await h.advance(5_000);
    expect(h.statuses).toEqual(['delayed', 'live']);
  });

  it('holds delayed for 10 s after a lost broadcast, reports the episode once, and probes at once', async () => {
    const h = harness();
    h.monitor.start();
    await h.advance(6_000);
    h.monitor.notice('gap', 'agent_status of run r1');
    h.monitor.notice('channel', 'Too many messages per second');
    await h.advance(0);
    expect(h.statuses).toEqual(['delayed']);
    expect(h.reports.map((r) => [r.context, r.message])).toEqual([
      [{ kind: 'rate_limit', source: 'gap' }, 'Updates delayed: agent_status of run r1'],
    ]);
    // The probe came forward (5 s after the last one at most), and said all is well.
    expect(h.asked.map((a) => a.at)).toEqual([0, 6_000]);
    await h.advance(9_000);
    expect(h.statuses).toEqual(['delayed']);
    await h.advance(1_001);
    expect(h.statuses).toEqual(['delayed', 'live']);
  });

  it('stops probing and says live when stopped', async () => {
    const h = harness();
    h.monitor.start();
    h.answer(429);
    await h.advance(0);
    expect(h.statuses).toEqual(['delayed']);
    h.monitor.stop();
    await h.advance(60_000);
    expect(h.statuses).toEqual(['delayed', 'live']);
    expect(h.asked).toHaveLength(1);
  });

  it('knows Realtime’s quota errors from other channel failures', () => {
    for (const reason of [
      'Too many messages per second',
      'Too many presence messages per second',
      'ClientJoinRateLimitReached: Too many joins per second',
      'ConnectionRateLimitReached: Too many connected users',
      'ChannelRateLimitReached: Too many channels',
      'Client presence rate limit exceeded',
    ])
      expect(isRateLimitReason(reason), reason).toBe(true);
    for (const reason of ['Unauthorized: You do not have permissions to read from this Channel topic', 'TIMED_OUT'])
      expect(isRateLimitReason(reason), reason).toBe(false);
  });
});
