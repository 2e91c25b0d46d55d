/**
 * POST /broadcast beyond the role table: another organisation's id, forged identities,
 * Idempotency-Key (sequential and concurrent), and every refusal status with its exact shape
 * (429 is in stats-health.local.test.ts, whose stack runs with a low rate limit).
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { orgTopic, territoryTopic, userTopic } from '../../src/contract/topics.ts';
import { PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import type { Inbox } from '../_support/inbox.ts';
import { BACKENDS } from '../_db.ts';
import { ACME, GLOBEX, startBridgeStack, type BridgeStack, type Received } from './_bridge.ts';

const OWNER = USERS.acmeOwner.id;
const WEST = USERS.acmeWest.id;

const teamUpdate = (message: string, extra: Record<string, unknown> = {}) => ({
  organizationId: ACME,
  message: { type: 'team_update', data: { updateType: 'assignment', message, details: {}, ...extra } },
});

describe.each(BACKENDS)('POST /broadcast protocol on %s', (backend) => {
  let bridge: BridgeStack;
  let acme: Inbox<Received>;
  let globex: Inbox<Received>;

  beforeAll(async () => {
    bridge = await startBridgeStack(backend);
    acme = await bridge.observe('acmeOwner', [orgTopic(ACME), userTopic(OWNER), territoryTopic(ACME, 'US_West')]);
    globex = await bridge.observe('globexMember', [orgTopic(GLOBEX), userTopic(USERS.globexMember.id)]);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  /** Sends a sentinel to Globex's org topic and returns what Globex heard since `from` (nothing else may be there). */
  async function globexHeardSince(from: number): Promise<string[]> {
    const sentinel = await bridge.request('POST', '/broadcast', {
      body: {
        organizationId: GLOBEX,
        message: { type: 'team_update', data: { updateType: 'assignment', message: 'sentinel', details: {} } },
      },
    });
    await globex.first((r) => r.payload.id === sentinel.body.id, 'the Globex sentinel');
    return globex.items
      .slice(from)
      .filter((r) => r.payload.id !== sentinel.body.id)
      .map((r) => r.payload.id);
  }

  describe('another organisation', () => {
    test.each([
      ['team_update', { type: 'team_update', data: { updateType: 'assignment', message: 'into globex', details: {} } }],
      [
        'notification',
        { type: 'notification', data: { message: 'into globex', level: 'info', userId: USERS.globexMember.id } },
      ],
      [
        'publisher_update',
        {
          type: 'publisher_update',
          data: {
            publisherId: PUBLISHERS.globexTomes.id,
            update: { field: 'name', newValue: 'Taken', updatedBy: null },
          },
        },
      ],
    ])(
      "the Acme owner sending %s with Globex's organizationId: 403, nothing written or delivered",
      async (_type, message) => {
        const before = globex.items.length;
        const rows = await bridge.count('public.team_updates', 'organization_id = $1', [GLOBEX]);
        const notes = await bridge.count('public.notifications', 'organization_id = $1', [GLOBEX]);
        const answer = await bridge.request('POST', '/broadcast', {
          caller: 'acmeOwner',
          body: { organizationId: GLOBEX, message },
        });
        expect(answer.status).toBe(403);
        expect(answer.body.error).toEqual({
          code: 'not_a_member',
          message: `You are not a member of organisation ${GLOBEX}`,
        });
        expect(await bridge.count('public.team_updates', 'organization_id = $1', [GLOBEX])).toBe(rows);
        expect(await bridge.count('public.notifications', 'organization_id = $1', [GLOBEX])).toBe(notes);
        expect(
          await bridge.count('public.publishers', "id = $1 and name = 'Globex Tomes' and version = 1", [
            PUBLISHERS.globexTomes.id,
          ]),
        ).toBe(1);
        expect(await globexHeardSince(before)).toEqual([]);
      },
    );

    test('a member notifying someone outside the organisation: 403 recipient_not_member', async () => {
      const answer = await bridge.request('POST', '/broadcast', {
        caller: 'acmeWest',
        body: {
          organizationId: ACME,
          target: { userId: USERS.globexMember.id },
          message: { type: 'notification', data: { message: 'psst', level: 'info' } },
        },
      });
      expect(answer.status).toBe(403);
      expect(answer.body.error?.code).toBe('recipient_not_member');
    });
  });

  test('a member notifying the whole organisation: 403 recipient_required (owners and admins may)', async () => {
    const body = {
      organizationId: ACME,
      message: { type: 'notification', data: { message: 'to everyone', level: 'warning' } },
    };
    const member = await bridge.request('POST', '/broadcast', { caller: 'acmeWest', body });
    expect(member.status).toBe(403);
    expect(member.body.error?.code).toBe('recipient_required');
    const owner = await bridge.request('POST', '/broadcast', { caller: 'acmeOwner', body });
    expect(owner.body).toEqual({ id: expect.any(String), type: 'notification', topic: orgTopic(ACME) });
    await acme.first((r) => r.payload.id === owner.body.id);
    expect(await bridge.count('public.notifications', "message = 'to everyone'")).toBe(1);
  });

  describe('forged identity', () => {
    test.each([
      ['team_update data.userId', teamUpdate('as the owner', { userId: OWNER }), 'message.data.userId'],
      [
        'publisher_update updatedBy',
        {
          organizationId: ACME,
          message: {
            type: 'publisher_update',
            data: {
              publisherId: PUBLISHERS.sunriseBooks.id,
              update: { field: 'name', newValue: 'Forged', updatedBy: OWNER },
            },
          },
        },
        'message.data.update.updatedBy',
      ],
      [
        'user_snapshot data.userId',
        {
          organizationId: ACME,
          message: {
            type: 'user_snapshot',
            data: { userId: OWNER, activity: { action: 'viewing', status: 'online' } },
          },
        },
        'message.data.userId',
      ],
    ])('a member forging %s: 403 forged_identity naming the field, nothing written', async (_name, body, path) => {
      const teamRows = await bridge.count('public.team_updates', 'user_id = $1', [OWNER]);
      const answer = await bridge.request('POST', '/broadcast', { caller: 'acmeWest', body });
      expect(answer.status).toBe(403);
      expect(answer.body.error?.code).toBe('forged_identity');
      expect(answer.body.error?.message).toBe(
        `${path} must be your own user id (${WEST}); you may not act as ${OWNER}`,
      );
      expect(await bridge.count('public.team_updates', 'user_id = $1', [OWNER])).toBe(teamRows);
      expect(await bridge.count('public.publishers', "name = 'Forged'")).toBe(0);
    });

    test("a member's team update without userId is recorded as theirs", async () => {
      const answer = await bridge.request('POST', '/broadcast', { caller: 'acmeWest', body: teamUpdate('mine') });
      expect(answer.status).toBe(202);
      const heard = await acme.first((r) => r.payload.id === answer.body.id);
      expect(heard.payload.data.userId).toBe(WEST);
    });
  });

  describe('Idempotency-Key', () => {
    test('the same key twice: the same answer, one row, one delivery', async () => {
      const headers = { 'idempotency-key': `seq-${backend}` };
      const first = await bridge.request('POST', '/broadcast', {
        caller: 'acmeOwner',
        body: teamUpdate('once only'),
        headers,
      });
      const second = await bridge.request('POST', '/broadcast', {
        caller: 'acmeOwner',
        body: teamUpdate('once only'),
        headers,
      });
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.body).toEqual(first.body);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(await bridge.count('public.team_updates', "message = 'once only'")).toBe(1);
      const sentinel = await bridge.request('POST', '/broadcast', { body: teamUpdate('after once only') });
      await acme.first((r) => r.payload.id === sentinel.body.id);
      expect(acme.items.filter((r) => r.payload.data.message === 'once only').map((r) => r.payload.id)).toEqual([
        first.body.id,
      ]);
    });

    test('two concurrent requests with one key: the same answer, one row, one delivery', async () => {
      const headers = { 'idempotency-key': `concurrent-${backend}` };
      const [a, b] = await Promise.all([
        bridge.request('POST', '/broadcast', { caller: 'acmeOwner', body: teamUpdate('concurrently once'), headers }),
        bridge.request('POST', '/broadcast', { caller: 'acmeOwner', body: teamUpdate('concurrently once'), headers }),
      ]);
      expect(a.status).toBe(202);
      expect(b.body).toEqual(a.body);
      expect(await bridge.count('public.team_updates', "message = 'concurrently once'")).toBe(1);
      const sentinel = await bridge.request('POST', '/broadcast', { body: teamUpdate('after concurrently once') });
      await acme.first((r) => r.payload.id === sentinel.body.id);
      expect(acme.items.filter((r) => r.payload.data.message === 'concurrently once')).toHaveLength(1);
    });

    test('the key is per caller, and a reused key with another body is refused', async () => {
      const headers = { 'idempotency-key': `shared-${backend}` };
      const owner = await bridge.request('POST', '/broadcast', {
        caller: 'acmeOwner',
        body: teamUpdate('owner keyed'),
        headers,
      });
      const west = await bridge.request('POST', '/broadcast', {
        caller: 'acmeWest',
        body: teamUpdate('owner keyed'),
        headers,
      });
      expect(west.status).toBe(202);
      expect(west.body.id).not.toBe(owner.body.id);
      const other = await bridge.request('POST', '/broadcast', {
        caller: 'acmeOwner',
        body: teamUpdate('another body'),
        headers,
      });
      expect(other.status).toBe(422);
      expect(other.body.error?.code).toBe('idempotency_key_reused');
    });
  });

  describe('the shared store', () => {
    test('expired keys are deleted by the next claim', async () => {
      const db = bridge.auth.database.db;
      // A TTL of -1 s: already expired when the next claim runs.
      await db.query(`select public.bridge_idempotency_claim('test-caller', 'expired-key', 'h', -1)`);
      expect(await bridge.count('bridge.idempotency_keys', "key = 'expired-key'")).toBe(1);
      await db.query(`select public.bridge_idempotency_claim('test-caller', 'fresh-key', 'h', 300)`);
      expect(await bridge.count('bridge.idempotency_keys', "key = 'expired-key'")).toBe(0);
      expect(await bridge.count('bridge.idempotency_keys', "key = 'fresh-key'")).toBe(1);
    });

    test.each(['acmeOwner', 'anon'] as const)(
      '%s cannot reach the store over REST (functions for service_role only, tables unexposed)',
      async (caller) => {
        const headers = {
          apikey: bridge.auth.stack.config.anonKey,
          authorization: `Bearer ${await bridge.token(caller)}`,
          'content-type': 'application/json',
        };
        const rpc = await fetch(`${bridge.auth.stack.url}/rest/v1/rpc/bridge_member_by_email`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ p_org: ACME, p_email: USERS.acmeWest.email }),
        });
        expect([401, 403]).toContain(rpc.status);
        expect(((await rpc.json()) as { code: string }).code).toBe('42501');
        const table = await fetch(`${bridge.auth.stack.url}/rest/v1/idempotency_keys`, { headers });
        expect(table.status).toBe(404);
      },
    );
  });

  describe('refusals', () => {
    test('413 for a body over 256 KB, also when streamed without Content-Length', async () => {
      const big = JSON.stringify(teamUpdate('x'.repeat(300 * 1024)));
      const declared = await bridge.request('POST', '/broadcast', { raw: big });
      expect(declared.status).toBe(413);
      expect(declared.body.error).toEqual({ code: 'payload_too_large', message: 'The body exceeds 262144 bytes' });
      // 512 KB sent chunked, then the request stalls without ending: a bridge that buffered the
      // whole body before checking would never answer; one that counts while reading answers 413.
      const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(`${bridge.url}/broadcast`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${bridge.auth.stack.config.serviceRoleKey}`,
            'content-type': 'application/json',
          },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body: text });
            req.destroy();
          });
        });
        req.on('error', reject);
        for (let i = 0; i < 8; i++) req.write('x'.repeat(64 * 1024));
      });
      expect(streamed.status).toBe(413);
      expect(JSON.parse(streamed.body)).toEqual({
        error: { code: 'payload_too_large', message: 'The body exceeds 262144 bytes' },
      });
    });

    test('400 for invalid JSON', async () => {
      const answer = await bridge.request('POST', '/broadcast', { raw: '{"organizationId": ' });
      expect(answer.status).toBe(400);
      expect(answer.body.error?.code).toBe('invalid_json');
      expect(answer.body.error?.message).toMatch(/^The body is not valid JSON: /);
    });

    test('422 naming the field (the zod issue path)', async () => {
      const answer = await bridge.request('POST', '/broadcast', {
        body: {
          organizationId: ACME,
          message: { type: 'team_update', data: { updateType: 'assignment', message: 'no details' } },
        },
      });
      expect(answer.status).toBe(422);
      expect(answer.body.error?.code).toBe('invalid_request');
      expect(answer.body.error?.details?.issues).toEqual([
        { path: 'message.data.details', message: expect.any(String) },
      ]);
      expect(answer.body.error?.message).toMatch(/^message\.data\.details: /);
      const badType = await bridge.request('POST', '/broadcast', {
        body: { organizationId: ACME, message: { type: 'shout', data: {} } },
      });
      expect(badType.status).toBe(422);
      expect(badType.body.error?.details?.issues?.[0]?.path).toBe('message.type');
    });

    test('404 for an unknown route, 405 with Allow for a wrong method', async () => {
      const missing = await bridge.request('GET', '/nope');
      expect(missing.status).toBe(404);
      expect(missing.body.error?.code).toBe('not_found');
      const wrong = await bridge.request('GET', '/broadcast');
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('POST, OPTIONS');
      expect(wrong.body.error?.code).toBe('method_not_allowed');
    });

    test('401 without a token or with a bad one', async () => {
      const response = await fetch(`${bridge.url}/broadcast`, {
        method: 'POST',
        body: JSON.stringify(teamUpdate('x')),
      });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('missing_token');
      const forged = await fetch(`${bridge.url}/broadcast`, {
        method: 'POST',
        headers: { authorization: 'Bearer not.a.jwt' },
        body: '{}',
      });
      expect(forged.status).toBe(401);
    });
  });
});
