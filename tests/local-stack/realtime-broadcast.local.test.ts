import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activityTopic, orgTopic } from '../../src/contract/index.ts';
import { ORGS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { broadcasts, joined, startRealtimeStack, VSNS, type RealtimeStack } from '../_support/realtime.ts';

describe.each(BACKENDS)('Realtime broadcast on %s', (backend) => {
  let rt: RealtimeStack;
  beforeAll(async () => {
    // Public rooms are part of the protocol under test: opt out of the private-only default.
    rt = await startRealtimeStack(backend, { privateOnly: false });
  });
  afterEach(() => rt.closeClients());
  afterAll(() => rt?.stop());

  describe.each(VSNS)('vsn %s', (vsn) => {
    it('public broadcast with self and ack off: others receive, the sender does not', async () => {
      const a = rt.client({ vsn }).channel('room-self-off');
      const b = rt.client({ vsn }).channel('room-self-off');
      const aInbox = broadcasts(a);
      const bInbox = broadcasts(b);
      await joined(a);
      await joined(b);

      expect(await a.send({ type: 'broadcast', event: 'cursor', payload: { x: 1 } })).toBe('ok');
      expect(await bInbox.next((m) => m.event === 'cursor')).toEqual({
        type: 'broadcast',
        event: 'cursor',
        payload: { x: 1 },
      });
      // b answers on the same path; once a has that, a's own message would have come first.
      await b.send({ type: 'broadcast', event: 'marker', payload: {} });
      await aInbox.next((m) => m.event === 'marker');
      expect(aInbox.items.map((m) => m.event)).toEqual(['marker']);
    });

    it('public broadcast with self and ack on: the send is acknowledged and echoed', async () => {
      const a = rt.client({ vsn }).channel('room-self-on', { config: { broadcast: { self: true, ack: true } } });
      const inbox = broadcasts(a, 'ping');
      await joined(a);
      expect(await a.send({ type: 'broadcast', event: 'ping', payload: { n: 1, text: 'héllo ✓' } })).toBe('ok');
      expect((await inbox.next()).payload).toEqual({ n: 1, text: 'héllo ✓' });
    });

    it('event filters match case-insensitively and "*" matches all', async () => {
      const a = rt.client({ vsn }).channel('room-filters', { config: { broadcast: { self: true } } });
      const exact = broadcasts(a, 'Typing');
      const all = broadcasts(a);
      await joined(a);
      await a.send({ type: 'broadcast', event: 'typing', payload: { who: 'a' } });
      await a.send({ type: 'broadcast', event: 'other', payload: {} });
      await all.next((m) => m.event === 'other');
      expect(exact.items.map((m) => m.event)).toEqual(['typing']);
      expect(all.items.map((m) => m.event)).toEqual(['typing', 'other']);
    });
  });

  it('vsn 1.0.0 and 2.0.0 clients see each other’s broadcasts', async () => {
    const v1 = rt.client({ vsn: '1.0.0' }).channel('room-mixed');
    const v2 = rt.client({ vsn: '2.0.0' }).channel('room-mixed');
    const v1Inbox = broadcasts(v1);
    const v2Inbox = broadcasts(v2);
    await joined(v1);
    await joined(v2);
    await v2.send({ type: 'broadcast', event: 'from-v2', payload: { a: [1, 2] } });
    await v1.send({ type: 'broadcast', event: 'from-v1', payload: { b: true } });
    expect((await v1Inbox.next((m) => m.event === 'from-v2')).payload).toEqual({ a: [1, 2] });
    expect((await v2Inbox.next((m) => m.event === 'from-v1')).payload).toEqual({ b: true });
  });

  it('binary payloads reach vsn 2.0.0 subscribers as bytes and are dropped for vsn 1.0.0 (§3.2)', async () => {
    const sender = rt.client({ vsn: '2.0.0' }).channel('room-binary');
    const v2 = rt.client({ vsn: '2.0.0' }).channel('room-binary');
    const v1 = rt.client({ vsn: '1.0.0' }).channel('room-binary');
    const v2Inbox = broadcasts(v2);
    const v1Inbox = broadcasts(v1);
    await joined(sender);
    await joined(v2);
    await joined(v1);
    await sender.send({ type: 'broadcast', event: 'bytes', payload: new Uint8Array([1, 2, 250]).buffer });
    await sender.send({ type: 'broadcast', event: 'marker', payload: {} });
    const received = await v2Inbox.next((m) => m.event === 'bytes');
    expect(new Uint8Array(received.payload as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 250]));
    await v1Inbox.next((m) => m.event === 'marker');
    expect(v1Inbox.items.map((m) => m.event)).toEqual(['marker']);
  });

  it('private broadcast with ack between members of one organisation; public channels of that name never see it', async () => {
    const topic = activityTopic(ORGS.acme.id);
    const sender = (await rt.userClient('acmeOwner')).channel(topic, {
      config: { private: true, broadcast: { ack: true } },
    });
    const member = (await rt.userClient('acmeWest', { vsn: '1.0.0' })).channel(topic, { config: { private: true } });
    const outsider = rt.client().channel(topic);
    const memberInbox = broadcasts(member);
    const outsiderInbox = broadcasts(outsider);
    await joined(sender);
    await joined(member);
    await joined(outsider);

    expect(await sender.send({ type: 'broadcast', event: 'user_snapshot', payload: { who: 'owner' } })).toBe('ok');
    expect((await memberInbox.next()).payload).toEqual({ who: 'owner' });
    const publicSender = rt.client().channel(topic);
    await joined(publicSender);
    await publicSender.send({ type: 'broadcast', event: 'public-marker', payload: {} });
    await outsiderInbox.next((m) => m.event === 'public-marker');
    expect(outsiderInbox.items.map((m) => m.event)).toEqual(['public-marker']);
    expect(memberInbox.items.map((m) => m.event)).toEqual(['user_snapshot']);
  });

  it('private broadcast with self on and ack off echoes to the sender', async () => {
    const channel = (await rt.userClient('acmeOwner')).channel(activityTopic(ORGS.acme.id), {
      config: { private: true, broadcast: { self: true } },
    });
    const inbox = broadcasts(channel);
    await joined(channel);
    expect(await channel.send({ type: 'broadcast', event: 'echo', payload: { ok: 1 } })).toBe('ok');
    expect((await inbox.next()).payload).toEqual({ ok: 1 });
  });

  it('a denied private write is dropped without a reply: ack ends in "timed out" (§3.3)', async () => {
    // Org members may read org:<org> but only write presence there.
    const channel = (await rt.userClient('acmeOwner', { timeout: 300 })).channel(orgTopic(ORGS.acme.id), {
      config: { private: true, broadcast: { ack: true, self: true } },
    });
    const inbox = broadcasts(channel);
    await joined(channel);
    expect(await channel.send({ type: 'broadcast', event: 'agent_status', payload: { forged: true } })).toBe(
      'timed out',
    );
    expect(inbox.items).toEqual([]);
  });
});
