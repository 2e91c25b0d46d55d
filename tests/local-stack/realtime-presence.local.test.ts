import type { RealtimeChannel } from '@supabase/supabase-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { orgTopic } from '../../src/contract/index.ts';
import { ORGS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { Inbox, joined, startRealtimeStack, systemMessages, VSNS, type RealtimeStack } from '../_support/realtime.ts';

type PresenceEvent =
  | { event: 'sync' }
  | { event: 'join'; key: string; newPresences: Array<Record<string, unknown>> }
  | { event: 'leave'; key: string; leftPresences: Array<Record<string, unknown>> };

function presenceEvents(channel: RealtimeChannel): Inbox<PresenceEvent> {
  const inbox = new Inbox<PresenceEvent>();
  channel.on('presence', { event: 'sync' }, () => inbox.push({ event: 'sync' }));
  channel.on('presence', { event: 'join' }, ({ key, newPresences }) =>
    inbox.push({ event: 'join', key, newPresences }),
  );
  channel.on('presence', { event: 'leave' }, ({ key, leftPresences }) =>
    inbox.push({ event: 'leave', key, leftPresences }),
  );
  return inbox;
}

/** Resolves once `channel.presenceState()` satisfies `check` (checked on every sync). */
function presenceSettles(
  channel: RealtimeChannel,
  events: Inbox<PresenceEvent>,
  check: (state: Record<string, unknown[]>) => boolean,
) {
  if (check(channel.presenceState())) return Promise.resolve();
  // `first`, not `next`: waiting for a state must not use up the event a later `next` expects.
  return events.first(() => check(channel.presenceState()), 'a presence state').then(() => undefined);
}

const metasOf = (channel: RealtimeChannel, key: string) =>
  ((channel.presenceState()[key] ?? []) as Array<Record<string, unknown>>).map(
    ({ presence_ref: _ref, ...meta }) => meta,
  );

describe.each(BACKENDS)('Realtime presence on %s', (backend) => {
  let rt: RealtimeStack;
  beforeAll(async () => {
    // Public rooms are part of the protocol under test: opt out of the private-only default.
    rt = await startRealtimeStack(backend, { privateOnly: false });
  });
  afterEach(() => rt.closeClients());
  afterAll(() => rt?.stop());

  describe.each(VSNS)('vsn %s', (vsn) => {
    it('two tabs of one user are two metas under one key; an observer sees joins, leaves and sync (§4.2)', async () => {
      const topic = orgTopic(ORGS.acme.id);
      const owner = USERS.acmeOwner.id;
      const config = { config: { private: true, presence: { key: owner } } };
      const tab1 = (await rt.userClient('acmeOwner', { vsn })).channel(topic, config);
      const tab2 = (await rt.userClient('acmeOwner', { vsn })).channel(topic, config);
      const observer = (await rt.userClient('acmeWest', { vsn })).channel(topic, {
        config: { private: true, presence: { key: USERS.acmeWest.id } },
      });
      const seen = presenceEvents(observer);
      const tab1Events = presenceEvents(tab1);
      await joined(observer);
      await joined(tab1);
      await joined(tab2);

      expect(await tab1.track({ tab: 1 })).toBe('ok');
      expect(await tab2.track({ tab: 2 })).toBe('ok');
      await presenceSettles(observer, seen, (state) => (state[owner] ?? []).length === 2);
      expect(metasOf(observer, owner)).toEqual([{ tab: 1 }, { tab: 2 }]);
      expect(seen.items.filter((e) => e.event === 'join').map((e) => e.event === 'join' && e.key)).toEqual([
        owner,
        owner,
      ]);

      // One tab closes: one meta leaves, the key stays.
      expect(await tab2.unsubscribe()).toBe('ok');
      await presenceSettles(observer, seen, (state) => (state[owner] ?? []).length === 1);
      expect(metasOf(observer, owner)).toEqual([{ tab: 1 }]);
      const leave = await seen.next((e) => e.event === 'leave');
      expect(leave).toMatchObject({ event: 'leave', key: owner, leftPresences: [expect.objectContaining({ tab: 2 })] });

      // The tracker sees its own presence too (diffs go to every subscriber).
      await presenceSettles(tab1, tab1Events, (state) => (state[owner] ?? []).length === 1);
      expect(metasOf(tab1, owner)).toEqual([{ tab: 1 }]);

      // Untrack removes the key entirely.
      expect(await tab1.untrack()).toBe('ok');
      await presenceSettles(observer, seen, (state) => state[owner] === undefined);
    });

    it('a late joiner gets the full state in presence_state; re-tracking replaces the meta', async () => {
      const a = rt.client({ vsn }).channel('room-presence-late', { config: { presence: { key: 'alice' } } });
      presenceEvents(a);
      await joined(a);
      expect(await a.track({ status: 'online' })).toBe('ok');
      expect(await a.track({ status: 'away' })).toBe('ok');

      const b = rt.client({ vsn }).channel('room-presence-late', { config: { presence: { key: 'bob' } } });
      const bEvents = presenceEvents(b);
      await joined(b);
      await presenceSettles(b, bEvents, (state) => state.alice !== undefined);
      expect(metasOf(b, 'alice')).toEqual([{ status: 'away' }]);
    });
  });

  it('keys are generated when the join has none, one per channel', async () => {
    const a = rt.client().channel('room-presence-generated');
    const aEvents = presenceEvents(a);
    await joined(a);
    expect(await a.track({ who: 'anonymous' })).toBe('ok');
    await presenceSettles(a, aEvents, (state) => Object.keys(state).length === 1);
    const [key] = Object.keys(a.presenceState());
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('closes a channel after more than 5 presence calls in 30 s: "Client presence rate limit exceeded" (§4.4)', async () => {
    const channel = rt.client().channel('room-presence-limit');
    const system = systemMessages(channel);
    const statuses = await joined(channel);
    for (let i = 0; i < 5; i++) expect(await channel.track({ i })).toBe('ok');
    void channel.track({ i: 5 });
    expect(await system.next()).toEqual({
      extension: 'system',
      status: 'error',
      message: 'Client presence rate limit exceeded',
      channel: 'room-presence-limit',
    });
    await statuses.next((s) => s.status === 'CLOSED');
  });

  it('refuses a track on a private topic without presence write (activity topics carry broadcast only)', async () => {
    const channel = (await rt.userClient('acmeOwner')).channel(`org:${ORGS.acme.id}:activity`, {
      config: { private: true },
    });
    await joined(channel);
    expect(await channel.track({ here: true })).toBe('error');
  });
});
