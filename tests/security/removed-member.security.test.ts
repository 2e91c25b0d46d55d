/**
 * How long a removed member keeps listening is a decision. Realtime
 * re-authorises an open private channel only when the client pushes a new access token, as
 * supabase-js does on every refresh; tokens live `jwt_expiry` (600 s here and in config.toml), so
 * access outlives a removal by at most that. This suite shows the window and then its end: the
 * first token push after the removal closes every organisation channel of that user.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activityTopic,
  orgTopic,
  publisherCollabTopic,
  publisherRecordTopic,
  territoryTopic,
  userTopic,
} from '../../src/contract/index.ts';
import { configFromEnv } from '../../local-stack/config.ts';
import { AGENT_RUNS, FIXTURE_PASSWORD, ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import {
  broadcasts,
  firstStatus,
  joined,
  startRealtimeStack,
  systemMessages,
  type RealtimeStack,
} from '../_support/realtime.ts';

const ACME = ORGS.acme.id;
const { id: SUNRISE, territory: WEST } = PUBLISHERS.sunriseBooks;
const ORG_TOPICS = [
  orgTopic(ACME),
  activityTopic(ACME),
  territoryTopic(ACME, WEST),
  publisherRecordTopic(ACME, SUNRISE, WEST),
  publisherCollabTopic(ACME, SUNRISE, WEST),
];
const JWT_EXPIRY = 600;

describe('the jwt_expiry decision', () => {
  it(`is ${JWT_EXPIRY} s in config.toml and the local stack's default`, () => {
    const toml = readFileSync(new URL('../../supabase/config.toml', import.meta.url), 'utf8');
    expect(toml).toMatch(new RegExp(`^jwt_expiry = ${JWT_EXPIRY}$`, 'm'));
    expect(configFromEnv({}).jwtExpirySeconds).toBe(JWT_EXPIRY);
    expect(configFromEnv({ PUBDEV_JWT_EXPIRY: '300' }).jwtExpirySeconds).toBe(300);
  });
});

describe.each(BACKENDS)('a member removed from the organisation (%s)', (backend) => {
  let rt: RealtimeStack;
  beforeAll(async () => {
    rt = await startRealtimeStack(backend);
  });
  afterAll(() => rt?.stop());

  it(`signs in with ${JWT_EXPIRY} s access tokens`, async () => {
    const { data, error } = await rt
      .client()
      .auth.signInWithPassword({ email: USERS.acmeWest.email, password: FIXTURE_PASSWORD });
    expect(error).toBeNull();
    expect(data.session?.expires_in).toBe(JWT_EXPIRY);
  });

  it('keeps its open channels until the next token push, which closes every organisation channel', async () => {
    let token = await rt.token('acmeWest');
    const west = rt.client({ accessToken: async () => token });
    await west.realtime.setAuth();
    const channels = ORG_TOPICS.map((topic) => {
      const channel = west.channel(topic, { config: { private: true } });
      return { topic, channel, system: systemMessages(channel), received: broadcasts(channel) };
    });
    const statuses = await Promise.all(channels.map(({ channel }) => joined(channel)));
    const own = west.channel(userTopic(USERS.acmeWest.id), { config: { private: true } });
    const ownStatuses = await joined(own);

    const owner = await rt.userClient('acmeOwner');
    const removal = await owner
      .from('organization_members')
      .delete()
      .eq('organization_id', ACME)
      .eq('user_id', USERS.acmeWest.id)
      .select('user_id');
    expect(removal).toMatchObject({ status: 200, error: null, data: [{ user_id: USERS.acmeWest.id }] });

    // The window: until a token push, the open channels still hear the organisation. The run works
    // on Sunrise Books, so its agent_status travels on US_West's topic (the third of ORG_TOPICS).
    const runTopic = channels[2]!;
    const bump = async () => {
      const { rows } = await rt.database.db.query<{ seq: string }>(
        'update public.agent_runs set current_task = $2 where id = $1 returning seq::text',
        [AGENT_RUNS.acmeEnrichment.id, `task ${randomUUID()}`],
      );
      return `${AGENT_RUNS.acmeEnrichment.id}:${rows[0]!.seq}`;
    };
    const during = await bump();
    await runTopic.received.next((m) => (m.payload as { id: string }).id === during, 'agent_status inside the window');

    // The next refresh (here: a new token pushed by setAuth) ends it on every organisation channel.
    token = await rt.token('acmeWest', 1800);
    await west.realtime.setAuth(token);
    for (const [index, { topic, system }] of channels.entries()) {
      expect(await system.next((m) => m.status === 'error', `the shutdown of ${topic}`)).toEqual({
        extension: 'system',
        status: 'error',
        message: `You do not have permissions to read from this Channel topic: ${topic}`,
        channel: topic,
      });
      await statuses[index]!.next((s) => s.status === 'CLOSED', `${topic} CLOSED`);
    }
    const after = await bump();
    // The user's own topic is the user's, not the organisation's: it stays, and it is where the
    // sentinel below can be awaited (a notification to this user), proving delivery moved on.
    const ownInbox = broadcasts(own);
    await rt.database.db.query(
      `insert into public.notifications (organization_id, user_id, message) values ($1, $2, 'after removal')`,
      [ORGS.globex.id, USERS.acmeWest.id],
    );
    await ownInbox.next((m) => m.event === 'notification', 'the sentinel notification');
    expect(runTopic.received.items.map((m) => (m.payload as { id: string }).id)).not.toContain(after);
    expect(ownStatuses.items).toEqual([{ status: 'SUBSCRIBED' }]);

    // Rejoining is refused, and REST shows nothing of the organisation any more.
    for (const topic of ORG_TOPICS) {
      expect(await firstStatus(west.channel(topic, { config: { private: true } }))).toEqual({
        status: 'CHANNEL_ERROR',
        error: `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`,
      });
    }
    const rows = await west.from('publishers').select('id');
    expect(rows).toMatchObject({ status: 200, error: null, data: [] });
  });
});
