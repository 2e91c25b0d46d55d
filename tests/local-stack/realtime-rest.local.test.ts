import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { activityTopic, orgTopic, userTopic } from '../../src/contract/index.ts';
import { ORGS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { broadcasts, joined, startRealtimeStack, type RealtimeStack } from '../_support/realtime.ts';

describe.each(BACKENDS)('Realtime REST and database broadcast on %s', (backend) => {
  let rt: RealtimeStack;
  beforeAll(async () => {
    // Public rooms are part of the protocol under test: opt out of the private-only default.
    rt = await startRealtimeStack(backend, { privateOnly: false });
    // realtime-js warns on its send() → REST fallback, which these tests use on purpose.
    vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => rt.closeClients());
  afterAll(() => rt?.stop());

  const api = (path: string) => `${rt.stack.url}/realtime/v1/api${path}`;

  it('GET /api/ping answers {"message":"Success"} with the rate limiter’s headers (§9, §3.6)', async () => {
    const response = await fetch(api('/ping'), { headers: { apikey: rt.stack.config.anonKey } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'Success' });
    expect(response.headers.get('x-rate-limit')).toBe('100');
    expect(response.headers.get('x-rate-rolling')).toMatch(/^\d+$/);
    expect(Number(response.headers.get('x-rate-limit-remaining'))).toBe(
      100 - Number(response.headers.get('x-rate-rolling')),
    );
  });

  it('httpSend delivers to vsn 2.0.0 and 1.0.0 subscribers, JSON and binary (§3.6.2)', async () => {
    const v2 = rt.client().channel('room-http');
    const v1 = rt.client({ vsn: '1.0.0' }).channel('room-http');
    const v2Inbox = broadcasts(v2);
    const v1Inbox = broadcasts(v1);
    await joined(v2);
    await joined(v1);
    const topicSender = rt.client().channel('room-http');
    expect(await topicSender.httpSend('note', { text: 'hi' })).toEqual({ success: true });
    expect(await topicSender.httpSend('bytes', new Uint8Array([9, 8, 7]).buffer)).toEqual({ success: true });
    expect((await v2Inbox.next((m) => m.event === 'note')).payload).toEqual({ text: 'hi' });
    expect((await v1Inbox.next((m) => m.event === 'note')).payload).toEqual({ text: 'hi' });
    expect(new Uint8Array((await v2Inbox.next((m) => m.event === 'bytes')).payload as ArrayBuffer)).toEqual(
      new Uint8Array([9, 8, 7]),
    );
  });

  it('httpSend to a private topic: 202 where the caller may write, 403 "Unauthorized" where not', async () => {
    const topic = activityTopic(ORGS.acme.id);
    const member = (await rt.userClient('acmeWest')).channel(topic, { config: { private: true } });
    const inbox = broadcasts(member);
    await joined(member);
    const owner = await rt.userClient('acmeOwner');
    expect(
      await owner.channel(topic, { config: { private: true } }).httpSend('user_snapshot', { who: 'owner' }),
    ).toEqual({ success: true });
    expect((await inbox.next()).payload).toEqual({ who: 'owner' });
    const outsider = await rt.userClient('globexMember');
    await expect(
      outsider.channel(topic, { config: { private: true } }).httpSend('user_snapshot', { who: 'globex' }),
    ).rejects.toThrow('Unauthorized');
    const service = rt.client({ key: rt.stack.config.serviceRoleKey });
    expect(
      await service.channel(topic, { config: { private: true } }).httpSend('user_snapshot', { who: 'service' }),
    ).toEqual({ success: true });
    await inbox.next((m) => (m.payload as { who: string }).who === 'service');
    expect(inbox.items.map((m) => (m.payload as { who: string }).who)).toEqual(['owner', 'service']);
  });

  it('the batch endpoint (send() before joining) answers 202 and silently drops unauthorised private messages (§3.6.1)', async () => {
    const topic = activityTopic(ORGS.acme.id);
    const member = (await rt.userClient('acmeWest')).channel(topic, { config: { private: true } });
    const inbox = broadcasts(member);
    await joined(member);

    const anonymous = rt.client().channel(topic, { config: { private: true } });
    expect(await anonymous.send({ type: 'broadcast', event: 'forged', payload: { by: 'anon' } })).toBe('ok');
    const owner = (await rt.userClient('acmeOwner')).channel(topic, { config: { private: true } });
    expect(await owner.send({ type: 'broadcast', event: 'real', payload: { by: 'owner' } })).toBe('ok');
    expect(await inbox.next((m) => m.event === 'real')).toEqual({
      type: 'broadcast',
      event: 'real',
      payload: { by: 'owner' },
    });
    expect(inbox.items.map((m) => m.event)).toEqual(['real']);
  });

  it('the batch endpoint validates its body and its caller, and ignores unknown query parameters', async () => {
    const headers = { apikey: rt.stack.config.anonKey, 'content-type': 'application/json' };
    const url = `${api('/broadcast')}?apikey=ignored&vsn=2.0.0`;
    const ok = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ messages: [{ topic: 'room-batch', event: 'e', payload: {} }] }),
    });
    expect(ok.status).toBe(202);
    const invalid = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ messages: [{ topic: 'room-batch', payload: 'x' }] }),
    });
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toMatchObject({
      errors: { messages: [{ event: [expect.any(String)], payload: [expect.any(String)] }] },
    });
    // Past the gateway's key check, a bearer token Realtime cannot verify is its own 401.
    const unauthenticated = await fetch(url, {
      method: 'POST',
      headers: { ...headers, authorization: 'Bearer not-a-jwt' },
      body: '{"messages":[]}',
    });
    expect(unauthenticated.status).toBe(401);
    expect(await unauthenticated.json()).toEqual({ message: 'Unauthorized' });
    const single = await fetch(api('/broadcast/room-batch/events/e'), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(single.status).toBe(415);
  });

  it('realtime.send from SQL reaches private subscribers with meta.id = the row id, and only them (§7)', async () => {
    const topic = userTopic(USERS.acmeWest.id);
    const privateChannel = (await rt.userClient('acmeWest')).channel(topic, { config: { private: true } });
    const v1Channel = (await rt.userClient('acmeWest', { vsn: '1.0.0' })).channel(topic, { config: { private: true } });
    const publicChannel = rt.client().channel(topic);
    const privateInbox = broadcasts(privateChannel);
    const v1Inbox = broadcasts(v1Channel);
    const publicInbox = broadcasts(publicChannel);
    await joined(privateChannel);
    await joined(v1Channel);
    await joined(publicChannel);

    await rt.stack.db.query(`select realtime.send('{"message":"hello"}'::jsonb, 'sql-note', $1)`, [topic]);
    const received = await privateInbox.next();
    const id = received.meta?.id ?? '';
    const { rows } = await rt.stack.db.query(`select topic, event, private from realtime.messages where id = $1`, [id]);
    expect(rows).toEqual([{ topic, event: 'sql-note', private: true }]);
    expect(received).toEqual({ type: 'broadcast', event: 'sql-note', meta: { id }, payload: { message: 'hello', id } });
    expect(await v1Inbox.next()).toEqual(received);

    // private = false picks the public namespace instead.
    await rt.stack.db.query(`select realtime.send('{"n":2}'::jsonb, 'public-note', $1, false)`, [topic]);
    expect((await publicInbox.next()).event).toBe('public-note');
    expect(publicInbox.items.map((m) => m.event)).toEqual(['public-note']);
    expect(privateInbox.items.map((m) => m.event)).toEqual(['sql-note']);
  });

  it('a direct insert into realtime.messages is broadcast as well, binary payloads as bytes', async () => {
    const topic = orgTopic(ORGS.acme.id);
    const channel = (await rt.userClient('acmeOwner')).channel(topic, { config: { private: true } });
    const inbox = broadcasts(channel);
    await joined(channel);
    await rt.stack.db.query(
      `insert into realtime.messages (topic, extension, event, private, binary_payload) values ($1, 'broadcast', 'blob', true, '\\x0102ff'::bytea)`,
      [topic],
    );
    const message = await inbox.next();
    expect(message.event).toBe('blob');
    expect(new Uint8Array(message.payload as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 255]));
    expect(message.meta?.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
