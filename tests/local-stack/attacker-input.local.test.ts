/**
 * The attacker's side, part 3: oversized, malformed and injected input against every API of the
 * local stack. Each bad request gets a precise 4xx (or the documented drop), nothing is written,
 * the server stays up, and a normal client still works afterwards.
 */
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activityTopic, orgTopic, publisherCollabTopic } from '../../src/contract/index.ts';
import { MAX_JSON_DEPTH } from '../../local-stack/index.ts';
import { FIXTURE_PASSWORD, ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { broadcasts, joined, rawSocket, startRealtimeStack, type RealtimeStack } from '../_support/realtime.ts';

const ACME = ORGS.acme.id;
const INJECTION = `x'; drop table public.publishers; --`;
const unauthorized = (topic: string) =>
  `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`;
/** GoTrue answers errors in the 2024-01-01 shape to clients that send this header (supabase-js does). */
const API_VERSION = { 'x-supabase-api-version': '2024-01-01' };

function nested(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

describe.each(BACKENDS)('attacker: oversized, malformed and injected input (%s)', (backend) => {
  let rt: RealtimeStack;
  let owner: string;

  beforeAll(async () => {
    // Public rooms stand in for any channel here: opt out of the private-only default.
    rt = await startRealtimeStack(backend, { privateOnly: false });
    owner = await rt.token('acmeOwner');
  });
  afterEach(async () => {
    await rt.closeClients();
  });
  afterAll(async () => {
    await rt?.stop();
  });

  function request(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('apikey', rt.stack.config.anonKey);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    return fetch(`${rt.stack.url}${path}`, { ...init, headers });
  }

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const { rows } = await rt.database.db.query<{ n: number }>(`select count(*)::int as n from ${sql}`, params);
    return rows[0]!.n;
  }

  /** The stack still answers a normal client, and the attacked tables are intact. */
  async function stillServing(): Promise<void> {
    const client = await rt.userClient('acmeOwner');
    const { data, error } = await client.from('publishers').select('id').eq('organization_id', ACME);
    expect(error).toBeNull();
    expect(data).toHaveLength(4);
    expect(await count('public.publishers')).toBe(5);
  }

  describe('/rest/v1', () => {
    it('refuses a body over the 8 MiB limit with 413 PGRST102 and writes nothing', async () => {
      const before = await count('public.team_updates');
      const message = 'x'.repeat(9 * 1024 * 1024);
      const response = await request('/rest/v1/team_updates', {
        method: 'POST',
        token: owner,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          organization_id: ACME,
          update_type: 'assignment',
          message,
          user_id: USERS.acmeOwner.id,
          details: {},
        }),
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({
        code: 'PGRST102',
        details: null,
        hint: null,
        message: 'Request body exceeds 8388608 bytes',
      });
      expect(await count('public.team_updates')).toBe(before);
      await stillServing();
    });

    it.each([
      ['just over the nesting limit', MAX_JSON_DEPTH + 1],
      ['100 000 levels deep', 100_000],
    ])('refuses JSON nested %s with 400 PGRST102 (never a 500 from a stack overflow)', async (_label, depth) => {
      const response = await request(`/rest/v1/publishers?id=eq.${PUBLISHERS.sunriseBooks.id}`, {
        method: 'PATCH',
        token: owner,
        headers: { 'content-type': 'application/json' },
        body: `{"custom_fields": ${nested(depth)}}`,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        code: 'PGRST102',
        details: `JSON nesting exceeds ${MAX_JSON_DEPTH} levels`,
        hint: null,
        message: 'Empty or invalid json',
      });
      await stillServing();
    });

    it('accepts nesting within the limit (brackets inside strings do not count)', async () => {
      const client = await rt.userClient('acmeOwner');
      const custom = { note: '[[[[{{{{'.repeat(200), deep: JSON.parse(nested(50)) as unknown };
      const { data, error } = await client
        .from('publishers')
        .update({ custom_fields: custom })
        .eq('id', PUBLISHERS.pacificPress.id)
        .select('custom_fields');
      expect(error).toBeNull();
      expect(data).toEqual([{ custom_fields: custom }]);
    });

    it('refuses a body that is not valid UTF-8 with 400 PGRST102 instead of storing U+FFFD', async () => {
      const before = await count('public.team_updates');
      const body = Buffer.concat([
        Buffer.from('{"message":"'),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from(
          `","organization_id":"${ACME}","update_type":"assignment","user_id":"${USERS.acmeOwner.id}","details":{}}`,
        ),
      ]);
      const response = await request('/rest/v1/team_updates', {
        method: 'POST',
        token: owner,
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        code: 'PGRST102',
        details: 'Request body is not valid UTF-8',
        hint: null,
        message: 'Empty or invalid json',
      });
      expect(await count('public.team_updates')).toBe(before);
    });

    it('answers oversized headers and query strings with 431, a garbled request with 400, then serves normally', async () => {
      const big = await request('/rest/v1/publishers?select=id', {
        token: owner,
        headers: { 'x-padding': 'a'.repeat(64 * 1024) },
      });
      expect(big.status).toBe(431);
      expect(await big.json()).toEqual({ message: 'Request header fields too large' });

      const longQuery = await request(`/rest/v1/publishers?select=id&name=eq.${'a'.repeat(64 * 1024)}`, {
        token: owner,
      });
      expect(longQuery.status).toBe(431);

      // A long but legal filter list still works.
      const ids = Array.from({ length: 200 }, (_, i) => `c0000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      const inList = await request(`/rest/v1/publishers?select=id&order=id&id=in.(${ids.join(',')})`, { token: owner });
      expect(inList.status).toBe(200);
      expect(await inList.json()).toEqual(
        [
          { id: PUBLISHERS.sunriseBooks.id },
          { id: PUBLISHERS.pacificPress.id },
          { id: PUBLISHERS.harborHouse.id },
          { id: PUBLISHERS.libertyPrint.id },
        ].filter((p) => ids.includes(p.id)),
      );

      const { port } = new URL(rt.stack.url);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString('latin1')));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      await stillServing();
    });
  });

  describe('/auth/v1', () => {
    async function tokenGrant(body: BodyInit): Promise<{ status: number; body: unknown }> {
      const response = await request('/auth/v1/token?grant_type=password', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...API_VERSION },
        body,
      });
      return { status: response.status, body: await response.json() };
    }

    it('answers malformed, mistyped, deeply nested and oversized bodies with GoTrue refusals, never a 500', async () => {
      expect(await tokenGrant('{"email": "owner@acme.test", "password": ')).toEqual({
        status: 400,
        body: { code: 'bad_json', message: expect.stringMatching(/^Could not parse request body as JSON: /) },
      });
      expect(await tokenGrant(JSON.stringify({ email: 123, password: ['x'] }))).toMatchObject({
        status: 400,
        body: { code: 'bad_json', message: expect.stringContaining('email') },
      });
      // Nesting past the limit is refused before parsing, as /rest/v1 and /realtime/v1 refuse it.
      expect(await tokenGrant(`{"email": ${nested(20_000)}, "password": "x"}`)).toMatchObject({
        status: 400,
        body: { code: 'bad_json' },
      });
      // Over Supabase Auth's 1 MiB body limit.
      expect(
        await tokenGrant(JSON.stringify({ email: USERS.acmeOwner.email, password: 'x'.repeat(1 << 20) })),
      ).toMatchObject({
        status: 413,
        body: { code: 'request_entity_too_large', message: 'Request body too large (max 1048576 bytes)' },
      });
      const mangled = Buffer.concat([
        Buffer.from(`{"email":"${USERS.acmeOwner.email}","password":"`),
        Buffer.from([0xff, 0xc3]),
        Buffer.from('"}'),
      ]);
      // Invalid UTF-8 is refused, not read with U+FFFD in place of the bad bytes.
      expect(await tokenGrant(mangled)).toMatchObject({
        status: 400,
        body: { code: 'bad_json', message: 'Could not parse request body as JSON: Request body is not valid UTF-8' },
      });
      // SQL in the email is a bound parameter: an unknown user, nothing else.
      expect(
        await tokenGrant(JSON.stringify({ email: `${INJECTION}@acme.test' or '1'='1`, password: FIXTURE_PASSWORD })),
      ).toMatchObject({
        status: 400,
        body: { code: 'invalid_credentials' },
      });
      const { error } = await rt
        .client()
        .auth.signInWithPassword({ email: USERS.acmeOwner.email, password: FIXTURE_PASSWORD });
      expect(error).toBeNull();
    });
  });

  describe('Realtime', () => {
    it('closes a socket that sends a frame over 5 MB (1009); other sockets keep their channels', async () => {
      const listener = rt.client().channel('flood-room');
      const inbox = broadcasts(listener);
      await joined(listener);
      const attacker = await rawSocket(rt.stack);
      attacker.send(Buffer.alloc(5_000_001, 0x61));
      expect((await attacker.closed).code).toBe(1009);
      const sender = rt.client().channel('flood-room');
      await joined(sender);
      expect(await sender.send({ type: 'broadcast', event: 'after-flood', payload: { ok: true } })).toBe('ok');
      expect((await inbox.next((m) => m.event === 'after-flood')).payload).toEqual({ ok: true });
    });

    it('a 120-channel join flood gets 100 channels and ChannelRateLimitReached for the rest; the socket stays usable', async () => {
      const raw = await rawSocket(rt.stack);
      for (let i = 0; i < 120; i++) raw.push(`j${i}`, `j${i}`, `realtime:flood-${i}`, 'phx_join', { config: {} });
      const replies = await Promise.all(Array.from({ length: 120 }, (_, i) => raw.reply(`j${i}`)));
      expect(replies.filter((r) => r.status === 'ok')).toHaveLength(100);
      expect(replies.filter((r) => r.status === 'error').map((r) => r.response)).toEqual(
        Array.from({ length: 20 }, () => ({ reason: 'ChannelRateLimitReached: Too many channels' })),
      );
      raw.push(null, 'hb', 'phoenix', 'heartbeat', {});
      expect(await raw.reply('hb')).toEqual({ status: 'ok', response: {} });
      raw.close();
      await stillServing();
    });

    it('a deeply nested broadcast payload neither crashes the server nor blocks the next message', async () => {
      const listener = rt.client().channel('deep-room');
      const inbox = broadcasts(listener);
      await joined(listener);
      const raw = await rawSocket(rt.stack);
      raw.push('1', '1', 'realtime:deep-room', 'phx_join', { config: { broadcast: { ack: true } } });
      expect((await raw.reply('1')).status).toBe('ok');
      raw.send(
        `["1","2","realtime:deep-room","broadcast",{"type":"broadcast","event":"deep","payload":{"x":${nested(1_000_000)}}}]`,
      );
      raw.push('1', '3', 'realtime:deep-room', 'broadcast', {
        type: 'broadcast',
        event: 'normal',
        payload: { ok: true },
      });
      expect(await raw.reply('3')).toEqual({ status: 'ok', response: {} });
      expect((await inbox.next((m) => m.event === 'normal')).payload).toEqual({ ok: true });
      raw.close();
    });

    it.each([
      // [label, topic, what httpSend to it answers: 403, 431 when the path outgrows the headers, none when it cannot be a URL]
      ['an SQL injection', `org:${INJECTION}`, 403],
      ['a quote-terminated org id', `org:${ACME}' or '1'='1`, 403],
      ['a NUL byte', `org:${ACME}\u0000`, 403],
      ['a lone surrogate', `org:${ACME}\ud800`, null],
      ['a megabyte of text', `org:${'x'.repeat(1_000_000)}`, 431],
    ])(
      'a private join on a topic with %s is refused as Unauthorized and runs no SQL text',
      async (_label, topic, restStatus) => {
        const raw = await rawSocket(rt.stack);
        raw.push('1', '1', `realtime:${topic}`, 'phx_join', { config: { private: true }, access_token: owner });
        expect(await raw.reply('1')).toEqual({ status: 'error', response: { reason: unauthorized(topic) } });
        raw.close();
        if (restStatus !== null) {
          const response = await request(
            `/realtime/v1/api/broadcast/${encodeURIComponent(topic)}/events/x?private=true`,
            {
              method: 'POST',
              token: owner,
              headers: { 'content-type': 'application/json' },
              body: '{}',
            },
          );
          expect(response.status).toBe(restStatus);
        }
        expect(await count('public.publishers')).toBe(5);
      },
    );

    it('presence keys and event names carrying SQL are data: delivered verbatim, nothing persisted', async () => {
      const messagesBefore = await count('realtime.messages');
      // The collaborative topic: the one where people track presence and broadcast drafts.
      const topic = publisherCollabTopic(ACME, PUBLISHERS.sunriseBooks.id, PUBLISHERS.sunriseBooks.territory);
      const watcher = (await rt.userClient('acmeWest')).channel(topic, { config: { private: true } });
      const inbox = broadcasts(watcher);
      const keys: string[] = [];
      watcher.on('presence', { event: 'join' }, ({ key }) => keys.push(key));
      await joined(watcher);

      const attacker = (await rt.userClient('acmeOwner')).channel(topic, {
        config: { private: true, presence: { key: INJECTION } },
      });
      await joined(attacker);
      expect(await attacker.track({ editing: INJECTION })).toBe('ok');
      expect(await attacker.send({ type: 'broadcast', event: INJECTION, payload: { sql: INJECTION } })).toBe('ok');
      expect((await inbox.next((m) => m.event === INJECTION)).payload).toEqual({ sql: INJECTION });
      // realtime-js's binary frame caps event names at 255 bytes; a hand-made text frame has no such cap.
      const raw = await rawSocket(rt.stack);
      raw.push('1', '1', `realtime:${topic}`, 'phx_join', {
        config: { private: true, broadcast: { ack: true } },
        access_token: owner,
      });
      expect((await raw.reply('1')).status).toBe('ok');
      const longEvent = `${INJECTION}${'e'.repeat(100_000)}`;
      raw.push('1', '2', `realtime:${topic}`, 'broadcast', {
        type: 'broadcast',
        event: longEvent,
        payload: { sql: INJECTION },
      });
      expect(await raw.reply('2')).toEqual({ status: 'ok', response: {} });
      expect((await inbox.next((m) => m.event === longEvent)).payload).toEqual({ sql: INJECTION });
      raw.close();
      await new Promise<void>((resolve) => {
        if (keys.includes(INJECTION)) resolve();
        else watcher.on('presence', { event: 'join' }, ({ key }) => key === INJECTION && resolve());
      });
      expect(watcher.presenceState()[INJECTION]).toEqual([expect.objectContaining({ editing: INJECTION })]);
      expect(await count('realtime.messages')).toBe(messagesBefore);
      await stillServing();
    });

    it('REST broadcast bodies that are deeply nested or not UTF-8 get 400, not a 500', async () => {
      const topic = activityTopic(ACME);
      for (const body of [`{"x": ${nested(100_000)}}`, new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])]) {
        const single = await request(`/realtime/v1/api/broadcast/${encodeURIComponent(topic)}/events/x?private=true`, {
          method: 'POST',
          token: owner,
          headers: { 'content-type': 'application/json' },
          body,
        });
        expect(single.status).toBe(400);
        expect(await single.json()).toEqual({ message: 'Invalid JSON body' });
      }
      const batch = await request('/realtime/v1/api/broadcast', {
        method: 'POST',
        token: owner,
        headers: { 'content-type': 'application/json' },
        body: `{"messages":[{"topic":"${orgTopic(ACME)}","event":"x","payload":{"x":${nested(100_000)}}}]}`,
      });
      expect(batch.status).toBe(400);
      expect(await batch.json()).toEqual({ message: 'Invalid JSON body' });
    });
  });
});
