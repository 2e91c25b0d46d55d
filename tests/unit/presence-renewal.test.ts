/**
 * Presence renewed in place, on a manual clock (the database side is tests/db/presence-renewal.db.test.ts):
 * the holder tracks a ticket once and renews it every minute without tracking again, and issues and
 * tracks a new one only when the renewal fails; an observer keeps showing a renewed ticket by
 * asking again shortly before its verdict runs out, and drops a ticket whose holder left when it
 * expires. The database's answers are given by the test.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import type { ChannelHandle } from '../../src/realtime/channel-types.ts';
import type { Environment } from '../../src/realtime/environment.ts';
import { createTicketedPresence } from '../../src/realtime/presence-tickets.ts';
import { createPresenceVerifier } from '../../src/realtime/presence-verifier.ts';

const TOPIC = 'org:11111111-1111-4111-8111-111111111111';
const USER = 'a0000000-0000-4000-8000-000000000002';
const RENEWED = 'f0000000-0000-4000-8000-000000000001';
const DEPARTED = 'f0000000-0000-4000-8000-000000000002';

function manual() {
  let time = 0;
  const timers: { at: number; callback: () => void }[] = [];
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
    fetch: () => Promise.reject(new Error('no network in unit tests')),
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return {
    env,
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

/** A supabase client whose `rpc` answers as `answer` says, recording every call. */
function rpcClient(answer: (fn: string, args: Record<string, unknown>) => { data: unknown; error: unknown }) {
  const calls: string[] = [];
  const supabase = {
    rpc: (fn: string, args: Record<string, unknown>) => {
      calls.push(fn);
      // As supabase-js's builder: awaitable, and reads take an abort signal (their timeout).
      const answered = Promise.resolve(answer(fn, args));
      return Object.assign(answered, { abortSignal: () => answered });
    },
  } as unknown as SupabaseClient;
  return { supabase, calls };
}

describe('ticketed presence', () => {
  it('tracks once, then renews the same ticket every minute without tracking; a failed renewal issues and tracks anew', async () => {
    const clock = manual();
    let issued = 0;
    let renewalFails = false;
    const { supabase, calls } = rpcClient((fn, args) => {
      if (fn === 'issue_presence_ticket') return { data: { ticket: `t${++issued}`, expiresAt: 'x' }, error: null };
      if (renewalFails) return { data: null, error: { code: 'P0002', message: 'no live presence ticket' } };
      return { data: { ticket: args.ticket, expiresAt: 'y' }, error: null };
    });
    const tracked: unknown[] = [];
    const handle = { track: (payload: unknown) => tracked.push(payload) } as unknown as ChannelHandle;
    const presence = createTicketedPresence({ supabase, env: clock.env, reportError: () => undefined }, TOPIC, handle);
    presence.claim('online');
    await clock.advance(0);
    await clock.advance(3 * 60_000);
    expect(tracked).toEqual([{ ticket: 't1' }]);
    expect(calls).toEqual([
      'issue_presence_ticket',
      'renew_presence_ticket',
      'renew_presence_ticket',
      'renew_presence_ticket',
    ]);
    renewalFails = true; // the tab slept past the ticket's expiry
    await clock.advance(60_000);
    expect(tracked).toEqual([{ ticket: 't1' }, { ticket: 't2' }]);
    presence.stop();
  });
});

describe('presence verifier', () => {
  it('asks again 20 s before a verdict runs out: a renewed ticket keeps showing, a departed one goes when it expires', async () => {
    const clock = manual();
    const renewedKey = `${USER.slice(0, -1)}1`;
    const departedKey = `${USER.slice(0, -1)}2`;
    // When each ticket expires in the database, in seconds on the manual clock.
    const expiresAt = new Map([
      [RENEWED, 120],
      [DEPARTED, 120],
    ]);
    const holder = (ticket: string) => (ticket === RENEWED ? renewedKey : departedKey);
    const { supabase, calls } = rpcClient((_fn, args) => ({
      data: (args.tickets as string[]).flatMap((ticket) => {
        const left = (expiresAt.get(ticket) ?? 0) - clock.env.now() / 1000;
        return left > 0 ? [{ ticket, user_id: holder(ticket), claim: 'online', expires_in: left }] : [];
      }),
      error: null,
    }));
    const verifier = createPresenceVerifier(
      { supabase, env: clock.env, readTimeoutMs: 10_000, reportError: () => undefined },
      TOPIC,
      () => undefined,
    );
    verifier.update({ [renewedKey]: [{ ticket: RENEWED }], [departedKey]: [{ ticket: DEPARTED }] } as never);
    await clock.advance(0);
    expect([...verifier.verified().keys()].sort()).toEqual([renewedKey, departedKey]);
    // A minute in, the holder of "renewed" renews it (two minutes from then); the other has left.
    await clock.advance(60_000);
    expiresAt.set(RENEWED, 180);
    // 20 s before the verdicts run out the verifier asks about both again, once.
    await clock.advance(50_000);
    expect(calls).toEqual(['verify_presence_tickets', 'verify_presence_tickets']);
    expect([...verifier.verified().keys()].sort()).toEqual([renewedKey, departedKey]);
    await clock.advance(10_001); // 120 s: the departed ticket expires, the renewed one stays
    expect([...verifier.verified().keys()]).toEqual([renewedKey]);
    expect(calls).toHaveLength(2);
    verifier.stop();
  });

  it('asks about the tickets due within 15 s in one request: 25 people renewing at scattered moments cost a request per 15 s at most, and all stay shown', async () => {
    const clock = manual();
    const PEOPLE = 25;
    const keyOf = (i: number) => `${USER.slice(0, -2)}${String(i).padStart(2, '0')}`;
    const ticketOf = (i: number) => `${RENEWED.slice(0, -2)}${String(i).padStart(2, '0')}`;
    // Person i got a two-minute ticket 2.4·i s before the observer came, and renews it every
    // minute (a minute before it runs out), so the renewals are spread evenly over the minute.
    const issuedAt = (i: number) => -2400 * i;
    const { supabase, calls } = rpcClient((_fn, args) => ({
      data: (args.tickets as string[]).map((ticket) => {
        const i = Number(ticket.slice(-2));
        const now = clock.env.now();
        const renewedAt = issuedAt(i) + 60_000 * Math.floor((now - issuedAt(i)) / 60_000);
        return { ticket, user_id: keyOf(i), claim: 'online', expires_in: (renewedAt + 120_000 - now) / 1000 };
      }),
      error: null,
    }));
    const verifier = createPresenceVerifier(
      { supabase, env: clock.env, readTimeoutMs: 10_000, reportError: () => undefined },
      TOPIC,
      () => undefined,
    );
    const state = Object.fromEntries(Array.from({ length: PEOPLE }, (_, i) => [keyOf(i), [{ ticket: ticketOf(i) }]]));
    verifier.update(state as never);
    await clock.advance(0);
    const MINUTES = 5;
    for (let second = 0; second < MINUTES * 60; second += 5) {
      await clock.advance(5000);
      expect(verifier.verified().size, `people shown at ${second + 5} s`).toBe(PEOPLE);
    }
    // One per ticket and renewal (125 in five minutes) without the coalescing; at most one per 15 s with it.
    expect(calls.length).toBeLessThanOrEqual(1 + (MINUTES * 60) / 15);
    expect(calls.length).toBeGreaterThan(MINUTES);
    verifier.stop();
  });
});
