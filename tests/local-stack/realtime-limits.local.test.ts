import type { RealtimeChannel } from '@supabase/supabase-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activityTopic, orgTopic } from '../../src/contract/index.ts';
import { AGENT_RUNS, ORGS, USERS } from '../../supabase/fixture.ts';
import { BUCKET_MS } from '../../local-stack/index.ts';
import { BACKENDS } from '../_db.ts';
import {
  broadcasts,
  Inbox,
  joined,
  ManualClock,
  startRealtimeStack,
  subscribe,
  systemMessages,
  VSNS,
  type BroadcastMessage,
  type RealtimeStack,
  type SystemMessage,
} from '../_support/realtime.ts';

/**
 * The fidelity gaps closed after the first Realtime round: the tenant presence rate (§4.4), the
 * DB-events counter of Postgres changes (§8.3), replay de-duplication (§3.4) and presence diffs on
 * private channels whose presence read was never evaluated at join (§4.2). All through supabase-js;
 * the rate tests move the counters' clock instead of waiting out their 5 s buckets.
 */

/** Resolves once `channel.presenceState()` satisfies `check` (checked on every presence sync). */
function presenceSettles(
  channel: RealtimeChannel,
  syncs: Inbox<number>,
  check: (state: Record<string, unknown[]>) => boolean,
): Promise<void> {
  if (check(channel.presenceState())) return Promise.resolve();
  return syncs.first(() => check(channel.presenceState()), 'a presence state').then(() => undefined);
}

/** A channel with a presence listener, so realtime-js joins with presence enabled. */
function presenceChannel(
  rt: RealtimeStack,
  topic: string,
  key: string,
): { channel: RealtimeChannel; syncs: Inbox<number> } {
  const channel = rt.client().channel(topic, { config: { presence: { key } } });
  const syncs = new Inbox<number>();
  channel.on('presence', { event: 'sync' }, () => syncs.push(Date.now()));
  return { channel, syncs };
}

type Diff = { joins: Record<string, unknown>; leaves: Record<string, unknown> };

/**
 * Every `presence_diff` and `presence_state` frame a client receives on `topic`, seen through
 * realtime-js's `logger`: a channel without presence enabled buffers diffs and never shows them.
 */
function presenceFrames(topic: string) {
  const frames = new Inbox<{ event: 'presence_diff' | 'presence_state'; payload: unknown }>();
  const logger = (kind: string, msg: string, data?: unknown) => {
    if (kind !== 'receive') return;
    for (const event of ['presence_diff', 'presence_state'] as const) {
      if (msg === `realtime:${topic} ${event}`) frames.push({ event, payload: data });
    }
  };
  const diffs = () => frames.items.filter((f) => f.event === 'presence_diff').map((f) => f.payload as Diff);
  return { frames, logger, diffs };
}

describe.each(BACKENDS)('Realtime tenant presence rate on %s (§4.4)', (backend) => {
  const clock = new ManualClock();
  let rt: RealtimeStack;
  beforeAll(async () => {
    // Public rooms stand in for any channel here: opt out of the private-only default.
    rt = await startRealtimeStack(backend, { maxPresenceEventsPerSecond: 1, privateOnly: false }, undefined, clock);
  });
  afterAll(() => rt?.stop());

  it('counts presence_state, tracks and diff deliveries; over the average, a join and a track are shut down with "Too many presence messages per second"', async () => {
    const topic = 'room-presence-rate';
    const observer = presenceChannel(rt, topic, 'observer');
    const tracker = presenceChannel(rt, topic, 'tracker');
    const observerStatuses = await joined(observer.channel); // presence_state: 1
    const trackerSystem = systemMessages(tracker.channel);
    const trackerStatuses = await joined(tracker.channel); // presence_state: 2
    // Each track counts once, and its diff once per receiving channel: 2 × (1 + 2) = 8 events.
    expect(await tracker.channel.track({ n: 1 })).toBe('ok');
    expect(await tracker.channel.track({ n: 2 })).toBe('ok');
    // An identical re-track is a no-op and counts nothing.
    expect(await tracker.channel.track({ n: 2 })).toBe('ok');
    await presenceSettles(
      observer.channel,
      observer.syncs,
      (state) => (state.tracker?.[0] as { n?: number } | undefined)?.n === 2,
    );

    // Still inside the first 5 s bucket: a burst is tolerated, a newcomer gets its presence_state.
    const early = presenceChannel(rt, topic, 'early');
    await joined(early.channel); // presence_state: 9
    await presenceSettles(early.channel, early.syncs, (state) => state.tracker !== undefined);
    expect(await early.channel.unsubscribe()).toBe('ok');

    // The bucket completes: 9 events over 5 s average 1.8/s, above the limit of 1.
    clock.advance(BUCKET_MS);

    const late = presenceChannel(rt, topic, 'late');
    const lateSystem = systemMessages(late.channel);
    const lateStatuses = subscribe(late.channel);
    expect(await lateStatuses.next()).toEqual({ status: 'SUBSCRIBED' });
    expect(await lateSystem.next()).toEqual({
      extension: 'system',
      status: 'error',
      message: 'Too many presence messages per second',
      channel: topic,
    });
    await lateStatuses.next((s) => s.status === 'CLOSED', 'CLOSED');
    expect(late.channel.presenceState()).toEqual({});

    void tracker.channel.track({ n: 3 });
    expect(await trackerSystem.next()).toEqual({
      extension: 'system',
      status: 'error',
      message: 'Too many presence messages per second',
      channel: topic,
    });
    await trackerStatuses.next((s) => s.status === 'CLOSED', 'CLOSED');

    // Receivers of diffs are not checked: the observer stays, and sees the closed tracker leave.
    await presenceSettles(observer.channel, observer.syncs, (state) => state.tracker === undefined);
    expect(observerStatuses.items).toEqual([{ status: 'SUBSCRIBED' }]);
  });
});

describe.each(BACKENDS)('Realtime DB-events counter on %s (§8.3)', (backend) => {
  const clock = new ManualClock();
  const logs = new Inbox<string>();
  let rt: RealtimeStack;
  beforeAll(async () => {
    rt = await startRealtimeStack(backend, { maxEventsPerSecond: 1, privateOnly: false }, logs.push, clock);
  });
  afterAll(() => rt?.stop());

  it('postgres_changes deliveries count on it; while it is triggered, changes are skipped and lost without a message', async () => {
    const runId = AGENT_RUNS.acmeEnrichment.id;
    const client = await rt.userClient('acmeOwner');
    const progress = new Inbox<number>();
    const channel = client
      .channel('room-db-events')
      .on(
        'postgres_changes',
        { event: 'UPDATE', schema: 'public', table: 'agent_runs', filter: `id=eq.${runId}` },
        (change) => progress.push((change.new as { progress: number }).progress),
      );
    const system = systemMessages(channel);
    const statuses = await joined(channel);
    await system.next((m) => m.message === 'Subscribed to PostgreSQL', '"Subscribed to PostgreSQL"');
    const setProgress = (value: number) =>
      rt.stack.db.query('update public.agent_runs set progress = $2 where id = $1', [runId, value]);

    // Five deliveries inside one bucket: all arrive.
    for (const value of [1, 2, 3, 4, 5]) await setProgress(value);
    await progress.next((p) => p === 5, 'progress 5');
    // The bucket completes: 5 deliveries over 5 s average 1/s, which triggers the limit of 1.
    clock.advance(BUCKET_MS);

    await setProgress(6);
    await logs.next(
      (line) => /postgres changes: skipped \d+ change\(s\): Too many postgres changes messages per second/.test(line),
      'the skip',
    );
    // Twelve empty buckets later the 60 s average is back to 0 and changes flow again.
    clock.advance(13 * BUCKET_MS);
    await setProgress(7);
    await progress.next((p) => p === 7, 'progress 7');

    // Progress 6 is gone: no change, no system message, the channel never closed.
    expect(progress.items).toEqual([1, 2, 3, 4, 5, 7]);
    expect(system.items.map((m: SystemMessage) => m.message)).toEqual(['Subscribed to PostgreSQL']);
    expect(statuses.items).toEqual([{ status: 'SUBSCRIBED' }]);
  });
});

describe.each(BACKENDS)('Realtime replay and private presence on %s', (backend) => {
  let rt: RealtimeStack;
  beforeAll(async () => {
    rt = await startRealtimeStack(backend, { privateOnly: false });
    // A topic whose members may read broadcasts but not presence, and write both (§6.2, §6.3).
    await rt.stack.db.exec(`
      create policy "test: presence-blind reads broadcast only" on realtime.messages for select to authenticated
        using (realtime.messages.extension = 'broadcast' and realtime.messages.topic = 'presence-blind'
               and (select realtime.topic()) = 'presence-blind');
      create policy "test: presence-blind writes" on realtime.messages for insert to authenticated
        with check (realtime.messages.topic = 'presence-blind' and (select realtime.topic()) = 'presence-blind');
    `);
  });
  afterEach(() => rt.closeClients());
  afterAll(() => rt?.stop());

  it.each(VSNS)(
    'drops live copies of messages a subscriber already got by replay, for that subscriber only (§3.4, vsn %s)',
    async (vsn) => {
      const topic = activityTopic(ORGS.acme.id);
      const since = Date.now() - 1000;
      // A subscriber that hears the stored message live: once it has, the stack is done with that
      // insert, so the two channels joined below cannot get its live copy (on PostgreSQL the
      // notification arrives asynchronously).
      const sentinel = (await rt.userClient('acmeOwner', { vsn })).channel(topic, { config: { private: true } });
      const heard = broadcasts(sentinel, 'stored');
      await joined(sentinel);
      const { rows } = await rt.stack.db.query<{ id: string }>(
        `insert into realtime.messages (topic, extension, event, payload, private)
       values ($1, 'broadcast', 'stored', jsonb_build_object('vsn', $2::text, 'n', 1), true) returning id::text as id`,
        [topic, vsn],
      );
      const storedId = rows[0]!.id;
      await heard.next((m) => m.meta?.id === storedId, 'the stored message, live');

      const replaying = (await rt.userClient('acmeWest', { vsn })).channel(topic, {
        config: { private: true, broadcast: { replay: { since } } },
      });
      const plain = (await rt.userClient('acmeOwner', { vsn })).channel(topic, { config: { private: true } });
      const replayed = broadcasts(replaying, 'stored');
      const live = broadcasts(plain, 'stored');
      await joined(replaying);
      await joined(plain);
      await replayed.next(
        (m) => (m.payload as { vsn?: string }).vsn === vsn && m.meta?.id === storedId,
        'the replayed message',
      );

      // The same row id arrives live (as a replication stream re-delivering it would), then a new message.
      await rt.stack.db.query(
        `insert into realtime.messages (id, topic, extension, event, payload, private, inserted_at)
       select id, topic, extension, event, payload || '{"again": true}', private, inserted_at + interval '1 millisecond'
         from realtime.messages where id = $1`,
        [storedId],
      );
      await rt.stack.db.query(
        `insert into realtime.messages (topic, extension, event, payload, private)
       values ($1, 'broadcast', 'stored', jsonb_build_object('vsn', $2::text, 'n', 2), true)`,
        [topic, vsn],
      );
      const ours = (inbox: Inbox<BroadcastMessage>) =>
        inbox.items
          .filter((m) => (m.payload as { vsn?: string }).vsn === vsn)
          .map((m) => ({
            ...(m.payload as object),
            id: m.meta?.id === storedId ? 'stored' : 'other',
            replayed: m.meta?.replayed ?? false,
          }));

      await replayed.next(
        (m) => (m.payload as { vsn?: string; n?: number }).vsn === vsn && (m.payload as { n?: number }).n === 2,
        'n 2',
      );
      await live.next(
        (m) => (m.payload as { vsn?: string; n?: number }).vsn === vsn && (m.payload as { n?: number }).n === 2,
        'n 2 (plain)',
      );
      expect(ours(replayed)).toEqual([
        { vsn, n: 1, id: 'stored', replayed: true },
        { vsn, n: 2, id: 'other', replayed: false },
      ]);
      // A subscriber without that replay gets the live copy: it is de-duplicated per subscriber.
      expect(ours(live)).toEqual([
        { vsn, n: 1, again: true, id: 'stored', replayed: false },
        { vsn, n: 2, id: 'other', replayed: false },
      ]);
    },
  );

  it('a private channel joined without presence gets diffs once a track has authorised presence read (§4.2)', async () => {
    const topic = orgTopic(ORGS.acme.id);
    const owner = USERS.acmeOwner.id;
    const west = USERS.acmeWest.id;
    const seen = presenceFrames(topic);
    // No presence listener and no `enabled`: realtime-js joins with presence disabled.
    const quiet = (await rt.userClient('acmeOwner', { logger: seen.logger })).channel(topic, {
      config: { private: true, presence: { key: owner } },
    });
    const markers = broadcasts(quiet, 'marker');
    const watcher = (await rt.userClient('acmeWest')).channel(topic, {
      config: { private: true, presence: { key: west } },
    });
    const watcherSyncs = new Inbox<number>();
    watcher.on('presence', { event: 'sync' }, () => watcherSyncs.push(Date.now()));
    await joined(quiet);
    await joined(watcher);

    // Before any track, presence read was never evaluated: the diff is withheld.
    expect(await watcher.track({ who: 'west' })).toBe('ok');
    await rt.stack.db.query(`select realtime.send('{}'::jsonb, 'marker', $1, true)`, [topic]);
    await markers.next(undefined, 'the marker');
    expect(seen.frames.items).toEqual([]);

    // The first track evaluates presence read (granted to members): diffs flow from then on, its own first.
    expect(await quiet.track({ who: 'owner' })).toBe('ok');
    await seen.frames.next((f) => f.event === 'presence_diff', 'its own diff');
    await presenceSettles(watcher, watcherSyncs, (state) => state[owner] !== undefined);
    expect(await watcher.track({ who: 'west', again: true })).toBe('ok');
    await seen.frames.next(
      (f) => f.event === 'presence_diff' && west in (f.payload as Diff).joins,
      "the watcher's diff",
    );

    expect(seen.diffs().map((d) => [Object.keys(d.joins), Object.keys(d.leaves)])).toEqual([
      [[owner], []],
      [[west], [west]],
    ]);
    // Presence was auto-enabled by the track, without a snapshot (§4.2).
    expect(seen.frames.items.some((f) => f.event === 'presence_state')).toBe(false);
  });

  it('a private channel whose presence read is denied gets no diffs, even after its own track (§4.2)', async () => {
    const topic = 'presence-blind';
    const seen = presenceFrames(topic);
    const blind = (await rt.userClient('acmeWest', { logger: seen.logger })).channel(topic, {
      config: { private: true, broadcast: { self: true }, presence: { key: 'west' } },
    });
    const markers = broadcasts(blind, 'marker');
    const other = (await rt.userClient('acmeOwner')).channel(topic, {
      config: { private: true, presence: { key: 'owner', enabled: true } },
    });
    await joined(blind);
    await joined(other);

    expect(await other.track({ who: 'owner' })).toBe('ok');
    // Write is allowed, so the track succeeds; read is evaluated now and denied.
    expect(await blind.track({ who: 'west' })).toBe('ok');
    expect(await other.track({ who: 'owner', again: true })).toBe('ok');
    // Frames on one channel keep their order: a diff would have come before this echo.
    expect(await blind.send({ type: 'broadcast', event: 'marker', payload: {} })).toBe('ok');
    await markers.next(undefined, 'the marker');
    expect(seen.frames.items).toEqual([]);
  });
});
