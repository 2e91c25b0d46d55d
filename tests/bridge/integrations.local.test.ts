/**
 * POST /integrations/<source>: a signed event from an integration worker becomes a personal
 * notification in the right user's `user:<id>` channel; bad signatures, stale timestamps,
 * replayed events and unknown sources are refused; an unknown email delivers nothing and the
 * answer is the same as for a known one.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { userTopic } from '../../src/contract/topics.ts';
import { USERS } from '../../supabase/fixture.ts';
import type { Inbox } from '../_support/inbox.ts';
import { BACKENDS } from '../_db.ts';
import { ACME, startBridgeStack, type BridgeAnswer, type BridgeStack, type Received } from './_bridge.ts';

const SECRETS = { gmail: 'gmail-test-secret-0123456789', drive: 'drive-test-secret-0123456789' } as const;
const OWNER = USERS.acmeOwner;
const GLOBEX_MEMBER = USERS.globexMember;

/** Signs like an integration worker: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>. */
function signed(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { 'x-pubdev-timestamp': String(timestamp), 'x-pubdev-signature': `sha256=${signature}` };
}

describe.each(BACKENDS)('POST /integrations/<source> on %s', (backend) => {
  let bridge: BridgeStack;
  let owner: Inbox<Received>;
  let globex: Inbox<Received>;

  beforeAll(async () => {
    bridge = await startBridgeStack(backend, {
      BRIDGE_GMAIL_SECRET: SECRETS.gmail,
      BRIDGE_DRIVE_SECRET: SECRETS.drive,
    });
    owner = await bridge.observe('acmeOwner', [userTopic(OWNER.id)]);
    globex = await bridge.observe('globexMember', [userTopic(GLOBEX_MEMBER.id)]);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  /** Posts `event` to `path` as an integration worker does (no Authorization header at all). */
  async function post(
    path: string,
    event: unknown,
    headers: (raw: string) => Record<string, string>,
  ): Promise<BridgeAnswer> {
    const raw = JSON.stringify(event);
    const response = await fetch(`${bridge.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers(raw) },
      body: raw,
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as BridgeAnswer['body'],
    };
  }

  const gmail = (eventId: string, recipientEmail: string = OWNER.email) => ({
    eventId,
    recipientEmail,
    from: 'Ann <ann@press.test>',
    subject: 'Catalogue 2027',
  });

  /** What the user heard from now until a sentinel notification the service role sends them. */
  async function heardUntilSentinel(
    collector: Inbox<Received>,
    userId: string,
    from: number,
    organizationId: string,
  ): Promise<string[]> {
    const sentinel = await bridge.request('POST', '/broadcast', {
      body: {
        organizationId,
        target: { userId },
        message: { type: 'notification', data: { message: 'sentinel', level: 'info' } },
      },
    });
    expect(sentinel.status).toBe(202);
    await collector.first((r) => r.payload.id === sentinel.body.id, 'the sentinel');
    return collector.items
      .slice(from)
      .filter((r) => r.payload.id !== sentinel.body.id)
      .map((r) => String(r.payload.data.message));
  }

  test("a signed gmail event becomes a notification in the member's user channel", async () => {
    const answer = await post(`/integrations/gmail/${ACME}`, gmail('gmail-1'), (raw) => signed(SECRETS.gmail, raw));
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({
      accepted: true,
      eventId: 'gmail-1',
      message: expect.stringMatching(/only if the recipient is a member/),
    });
    const heard = await owner.first(
      (r) => r.payload.data.message === 'New email from Ann <ann@press.test>: Catalogue 2027',
    );
    expect(heard).toMatchObject({
      topic: userTopic(OWNER.id),
      event: 'notification',
      payload: { type: 'notification', data: { level: 'info', userId: OWNER.id } },
    });
    expect(await bridge.count('public.notifications', "source = 'gmail' and user_id = $1", [OWNER.id])).toBe(1);
  });

  test('the organisation may come from X-Pubdev-Organization; drive links become the action URL', async () => {
    const event = {
      eventId: 'drive-1',
      userEmail: 'OWNER@acme.test',
      fileName: 'Q3.xlsx',
      sharedBy: 'Bo',
      url: 'https://drive.test/f/1',
    };
    const answer = await post('/integrations/drive', event, (raw) => ({
      ...signed(SECRETS.drive, raw),
      'x-pubdev-organization': ACME,
    }));
    expect(answer.body).toEqual({ accepted: true, eventId: 'drive-1', message: expect.any(String) });
    const heard = await owner.first((r) => r.payload.data.message === 'Bo shared Q3.xlsx with you');
    expect(heard.payload.data.actionUrl).toBe('https://drive.test/f/1');
  });

  test.each([
    ['a bad signature', (raw: string) => signed('not-the-gmail-secret-at-all', raw), 401, 'invalid_signature'],
    ['no signature', () => ({ 'x-pubdev-timestamp': String(Math.floor(Date.now() / 1000)) }), 401, 'invalid_signature'],
    [
      'a timestamp 6 minutes old',
      (raw: string) => signed(SECRETS.gmail, raw, Math.floor(Date.now() / 1000) - 360),
      401,
      'stale_timestamp',
    ],
    [
      'a timestamp 6 minutes ahead',
      (raw: string) => signed(SECRETS.gmail, raw, Math.floor(Date.now() / 1000) + 360),
      401,
      'stale_timestamp',
    ],
  ])('%s is refused and delivers nothing', async (_name, headers, status, code) => {
    const from = owner.items.length;
    const answer = await post(`/integrations/gmail/${ACME}`, gmail(`refused-${code}-${from}`), headers);
    expect(answer.status).toBe(status);
    expect(answer.body.error?.code).toBe(code);
    expect(await heardUntilSentinel(owner, OWNER.id, from, ACME)).toEqual([]);
  });

  test('a replayed eventId is refused (even re-signed with a fresh timestamp), one notification in all', async () => {
    const first = await post(`/integrations/gmail/${ACME}`, gmail('gmail-replay'), (raw) => signed(SECRETS.gmail, raw));
    expect(first.status).toBe(202);
    const replay = await post(`/integrations/gmail/${ACME}`, gmail('gmail-replay'), (raw) =>
      signed(SECRETS.gmail, raw, Math.floor(Date.now() / 1000) + 1),
    );
    expect(replay.status).toBe(409);
    expect(replay.body.error).toEqual({
      code: 'duplicate_event',
      message: 'Event gmail-replay from gmail was already received',
    });
    const changed = await post(`/integrations/gmail/${ACME}`, { ...gmail('gmail-replay'), subject: 'changed' }, (raw) =>
      signed(SECRETS.gmail, raw),
    );
    expect(changed.status).toBe(409);
    expect(await bridge.count('public.notifications', "source = 'gmail' and message like '%Catalogue 2027'")).toBe(2);
  });

  test('an unknown source is 404, a source without a secret 503', async () => {
    const unknown = await post(`/integrations/slack/${ACME}`, gmail('x'), (raw) => signed(SECRETS.gmail, raw));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('unknown_source');
    const unconfigured = await post(
      `/integrations/linkedin/${ACME}`,
      { eventId: 'l1', userEmail: OWNER.email, kind: 'message', name: 'Cy' },
      () => ({}),
    );
    expect(unconfigured.status).toBe(503);
    expect(unconfigured.body.error?.code).toBe('integration_not_configured');
  });

  test('422 names the field of an invalid event', async () => {
    const answer = await post(
      `/integrations/gmail/${ACME}`,
      { eventId: 'bad', recipientEmail: 'not an email', from: 'x', subject: 'y' },
      (raw) => signed(SECRETS.gmail, raw),
    );
    expect(answer.status).toBe(422);
    expect(answer.body.error?.details?.issues?.[0]?.path).toBe('recipientEmail');
  });

  test('an unknown email, or a member of another organisation, delivers nothing and gets the same answer', async () => {
    const notes = await bridge.count('public.notifications', 'true');
    const ownerFrom = owner.items.length;
    const globexFrom = globex.items.length;
    const nobody = await post(`/integrations/gmail/${ACME}`, gmail('gmail-nobody', 'nobody@nowhere.test'), (raw) =>
      signed(SECRETS.gmail, raw),
    );
    const outsider = await post(`/integrations/gmail/${ACME}`, gmail('gmail-outsider', GLOBEX_MEMBER.email), (raw) =>
      signed(SECRETS.gmail, raw),
    );
    const known = await post(`/integrations/gmail/${ACME}`, gmail('gmail-known'), (raw) => signed(SECRETS.gmail, raw));
    for (const [answer, eventId] of [
      [nobody, 'gmail-nobody'],
      [outsider, 'gmail-outsider'],
    ] as const) {
      expect(answer.status).toBe(known.status);
      expect(answer.body).toEqual({ ...known.body, eventId });
    }
    expect(await bridge.count('public.notifications', 'true')).toBe(notes + 1);
    expect(await heardUntilSentinel(globex, GLOBEX_MEMBER.id, globexFrom, GLOBEX_MEMBER.orgId)).toEqual([]);
    expect(await heardUntilSentinel(owner, OWNER.id, ownerFrom, ACME)).toEqual([
      'New email from Ann <ann@press.test>: Catalogue 2027',
    ]);
  });
});
