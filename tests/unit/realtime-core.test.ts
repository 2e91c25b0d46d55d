/**
 * The core's pure parts on a manual clock and manual frames: snapshots keep their identity and
 * notify once per frame whatever the burst; a per-id store lives while held and a grace period
 * after; rationed calls send the latest value; feeds keep each
 * id once, newest first, within their cap; the topic gate refuses a type on a topic that does not
 * carry it.
 */
import { describe, expect, it } from 'vitest';
import { acceptMessage } from '../../src/realtime/accept-message.ts';
import type { Environment } from '../../src/realtime/environment.ts';
import { NewestFirstFeed } from '../../src/realtime/newest-first-feed.ts';
import { createLatestValueLimiter } from '../../src/realtime/rate-limiter.ts';
import { createStoreCache } from '../../src/realtime/store-cache.ts';
import { createCoalescedStore } from '../../src/realtime/store.ts';

const ORG = '11111111-1111-4111-8111-111111111111';

/** Timers and frames that run only when the test says so. */
function manualEnvironment() {
  let time = 0;
  const timers: { at: number; callback: () => void }[] = [];
  const frames: (() => void)[] = [];
  const env: Environment = {
    now: () => time,
    timers: {
      setTimeout: (callback, ms) => {
        const timer = { at: time + ms, callback };
        timers.push(timer);
        return timer;
      },
      clearTimeout: (handle) => void timers.splice(timers.indexOf(handle as (typeof timers)[number]), 1),
    },
    requestFrame: (callback) => void frames.push(callback),
    fetch: () => Promise.reject(new Error('no network in unit tests')),
  };
  return {
    env,
    advance(ms: number) {
      time += ms;
      for (const timer of timers.filter((t) => t.at <= time).sort((a, b) => a.at - b.at)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.callback();
      }
    },
    frame() {
      for (const callback of frames.splice(0)) callback();
    },
  };
}

describe('coalesced store', () => {
  it('notifies once per frame under a burst, and keeps the snapshot’s identity until it changes', async () => {
    const clock = manualEnvironment();
    let value = 0;
    const store = createCoalescedStore({
      build: () => Object.freeze({ value }),
      requestFrame: clock.env.requestFrame,
      now: clock.env.now,
    });
    let notified = 0;
    store.subscribe(() => notified++);
    const first = store.getSnapshot();
    expect(store.getSnapshot()).toBe(first);

    // Idle: the first change notifies at the end of the task (a microtask), not a frame later.
    value = 1;
    store.invalidate();
    await Promise.resolve();
    expect(notified).toBe(1);
    expect(store.getSnapshot()).toEqual({ value: 1 });

    // Busy: 1000 changes within the frame → one notification, at the frame.
    for (let i = 2; i <= 1001; i++) {
      value = i;
      store.invalidate();
    }
    await Promise.resolve();
    expect(notified).toBe(1);
    expect(store.getSnapshot()).toEqual({ value: 1 });
    clock.frame();
    expect(notified).toBe(2);
    expect(store.getSnapshot()).toEqual({ value: 1001 });
  });

  it('builds only after invalidate: a flush with nothing changed keeps the snapshot and notifies no one', () => {
    const clock = manualEnvironment();
    let builds = 0;
    const store = createCoalescedStore({ build: () => ({ build: ++builds }), requestFrame: clock.env.requestFrame });
    let notified = 0;
    store.subscribe(() => notified++);
    const first = store.getSnapshot();
    store.flush();
    expect(store.getSnapshot()).toBe(first);
    expect([builds, notified]).toEqual([1, 0]);
    store.invalidate();
    store.flush();
    expect(store.getSnapshot()).toEqual({ build: 2 });
    expect(notified).toBe(1);
  });

  it('starts its work on the first subscriber and stops it after the last', () => {
    const clock = manualEnvironment();
    const events: string[] = [];
    const store = createCoalescedStore({
      build: () => 0,
      requestFrame: clock.env.requestFrame,
      onActive: () => {
        events.push('start');
        return () => events.push('stop');
      },
    });
    const a = store.subscribe(() => undefined);
    const b = store.subscribe(() => undefined);
    a();
    expect(events).toEqual(['start']);
    b();
    b();
    expect(events).toEqual(['start', 'stop']);
  });
});

describe('store cache (one publisher record store per id)', () => {
  /** A store that counts its subscribers, as a real one starts and stops its channels. */
  function countingStore() {
    const state = { subscribers: 0 };
    return {
      state,
      subscribe: (_listener: () => void) => {
        state.subscribers++;
        return () => void state.subscribers--;
      },
      getSnapshot: () => state.subscribers,
    };
  }

  it('keeps a store while it is held and through a quick re-subscribe, and forgets it a grace period after the last', () => {
    const clock = manualEnvironment();
    const storeFor = createStoreCache(countingStore, clock.env, 1500);
    const first = storeFor('a');
    const stop = first.subscribe(() => undefined);
    expect(first.state.subscribers).toBe(1);
    clock.advance(60_000);
    expect(storeFor('a')).toBe(first);
    stop();
    expect(first.state.subscribers).toBe(0);
    first.subscribe(() => undefined)(); // StrictMode: unsubscribe, subscribe, unsubscribe
    clock.advance(1499);
    expect(storeFor('a')).toBe(first);
    clock.advance(1);
    expect(storeFor('a')).not.toBe(first);
  });

  it('forgets a store asked for but never subscribed to at the next look after its grace', () => {
    const clock = manualEnvironment();
    const storeFor = createStoreCache(countingStore, clock.env, 1500);
    const unused = storeFor('a');
    const other = storeFor('b');
    const stop = other.subscribe(() => undefined);
    clock.advance(1500);
    expect(storeFor('b')).toBe(other);
    expect(storeFor('a')).not.toBe(unused);
    stop();
  });
});

describe('latest-value limiter (presence tracks)', () => {
  it('sends 4 at once, then only the latest value when the 30 s window has room', () => {
    const clock = manualEnvironment();
    const sent: number[] = [];
    const limiter = createLatestValueLimiter<number>(clock.env, 4, 30_000, (v) => sent.push(v));
    for (let i = 1; i <= 10; i++) limiter.offer(i);
    expect(sent).toEqual([1, 2, 3, 4]);
    clock.advance(29_999);
    expect(sent).toEqual([1, 2, 3, 4]);
    clock.advance(1);
    expect(sent).toEqual([1, 2, 3, 4, 10]);
  });
});

describe('feed', () => {
  it('keeps each id once, newest first (ties by id), within its cap', () => {
    const feed = new NewestFirstFeed<{ id: string; timestamp: string }>(3);
    const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, s)).toISOString();
    expect(feed.upsert({ id: 'a', timestamp: at(1) })).toBe(true);
    expect(feed.upsert({ id: 'a', timestamp: at(1) })).toBe(false);
    feed.upsert({ id: 'c', timestamp: at(2) });
    feed.upsert({ id: 'b', timestamp: at(2) });
    feed.upsert({ id: 'd', timestamp: at(3) });
    const snapshot = feed.snapshot();
    expect(snapshot.map((i) => i.id)).toEqual(['d', 'c', 'b']);
    expect(feed.snapshot()).toBe(snapshot);
  });
});

describe('topic gate', () => {
  const notification = {
    id: 'n1',
    type: 'notification',
    timestamp: '2026-12-01T12:00:00.000Z',
    data: { message: 'hi', level: 'info' },
  };

  it('accepts a notification on the org topic', () => {
    expect(acceptMessage(`org:${ORG}`, 'notification', notification)).toMatchObject({ ok: true });
  });

  it('refuses a notification forged on the activity topic, where members may broadcast', () => {
    const result = acceptMessage(`org:${ORG}:activity`, 'notification', notification);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe(`notification is not accepted on org:${ORG}:activity`);
  });

  it('reports an invalid message with the field that is wrong, and an event that is not its type', () => {
    const invalid = acceptMessage(`org:${ORG}`, 'notification', {
      ...notification,
      data: { message: 'hi', level: 'loud' },
    });
    expect(invalid.ok).toBe(false);
    if (!invalid.ok) expect(invalid.error.message).toMatch(/^notification\.data\.level: /);
    const mislabelled = acceptMessage(`org:${ORG}`, 'team_update', notification);
    expect(mislabelled.ok).toBe(false);
  });
});
