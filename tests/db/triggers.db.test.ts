/**
 * Database broadcast triggers: every write produces exactly the contract messages on exactly the
 * topics docs/architecture.md lists, as private broadcasts whose event is the message type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertMessage,
  parseTopic,
  publisherRecordTopic,
  TOPIC_CARRIES,
  TOPIC_POLICIES,
  type RealtimeMessage,
} from '../../src/contract/index.ts';
import type { Queryable } from '../../local-stack/db/index.ts';
import { AGENT_RUNS, ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { captureMessages, type CapturedMessage, type Caller } from './_as-user.ts';

const ACME = ORGS.acme.id;
const GLOBEX = ORGS.globex.id;
const SUNRISE = PUBLISHERS.sunriseBooks;
const RUN = AGENT_RUNS.acmeEnrichment.id;
const orgTopic = `org:${ACME}`;
const sunriseTopic = publisherRecordTopic(ACME, SUNRISE.id, 'US_West');
const sunriseEastTopic = publisherRecordTopic(ACME, SUNRISE.id, 'US_East');
const sunriseUnassignedTopic = publisherRecordTopic(ACME, SUNRISE.id, null);
const westTopic = `org:${ACME}:territory:US_West`;
const eastTopic = `org:${ACME}:territory:US_East`;

interface Delivered {
  topic: string;
  message: RealtimeMessage;
}

/**
 * Checks what every database-originated message must satisfy, and returns them as
 * (topic, validated message) pairs for the test's own assertions.
 */
function delivered(messages: readonly CapturedMessage[]): Delivered[] {
  return messages.map((row) => {
    const message = assertMessage(row.payload);
    expect(row).toMatchObject({ private: true, extension: 'broadcast', event: message.type });
    const topic = parseTopic(row.topic);
    expect(topic, row.topic).not.toBeNull();
    expect(TOPIC_CARRIES[topic!.kind]).toContain(message.type);
    // The database writes only to topics clients cannot broadcast on.
    expect(TOPIC_POLICIES[topic!.kind]).toMatchObject({ authority: 'server', broadcast: 'none' });
    return { topic: row.topic, message };
  });
}

async function run(
  t: TestDatabase,
  caller: Caller | null,
  sql: string,
  params: readonly unknown[] = [],
): Promise<Delivered[]> {
  const { messages } = await captureMessages(t.db, caller, (tx) => tx.query(sql, params));
  return delivered(messages);
}

async function runMany(
  t: TestDatabase,
  caller: Caller | null,
  fn: (tx: Queryable) => Promise<unknown>,
): Promise<Delivered[]> {
  const { messages } = await captureMessages(t.db, caller, fn);
  return delivered(messages);
}

describe.each(BACKENDS)('broadcast triggers on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  describe('agent_runs → agent_status on org:<org> (org-wide) or the publisher’s territory topic', () => {
    it('a new run broadcasts seq 1 with the run state, then its queue position (the database’s, not the writer’s)', async () => {
      const id = 'd0000000-0000-4000-8000-0000000000a1';
      const out = await run(
        t,
        'acmeAgent',
        `insert into public.agent_runs (id, organization_id, agent_id, status, queue_position) values ($1, $2, 'triage-agent', 'queued', 3)`,
        [id, ACME],
      );
      expect(out.map((d) => d.topic)).toEqual([orgTopic, orgTopic]);
      expect(out[0]!.message).toMatchObject({
        id: `${id}:1`,
        type: 'agent_status',
        seq: 1,
        data: {
          agentId: 'triage-agent',
          status: 'queued',
          runId: id,
          progress: null,
          queuePosition: null,
          attempt: 1,
          error: null,
          result: null,
          publisherId: null,
          requestedBy: USERS.acmeAgent.id,
          priority: 0,
          leaseExpiresAt: null,
        },
      });
      expect(out[1]!.message).toMatchObject({ id: `${id}:2`, seq: 2, data: { status: 'queued', queuePosition: 1 } });
    });

    it('progress carries progress, currentTask and estimatedTime, and bumps seq by one', async () => {
      // Pacing off: the seed broadcast this run a moment ago (agent-progress-pacing.db.test.ts).
      const out = await runMany(t, 'acmeAgent', async (tx) => {
        await tx.query(`select set_config('pubdev.agent_progress_interval_ms', '0', true)`);
        await tx.query(
          `update public.agent_runs set progress = 62.5, current_task = 'Scoring Pacific Press', estimated_time = 30 where id = $1`,
          [RUN],
        );
      });
      expect(out.map((d) => d.topic)).toEqual([westTopic]);
      expect(out[0]!.message).toMatchObject({
        id: `${RUN}:2`,
        seq: 2,
        data: {
          status: 'processing',
          progress: { progress: 62.5, currentTask: 'Scoring Pacific Press', estimatedTime: 30 },
        },
      });
    });

    it('seq is strictly monotonic across updates of one run', async () => {
      const out = await runMany(t, 'acmeAgent', async (tx) => {
        // Every change broadcast (pacing off), so that each seq shows.
        await tx.query(`select set_config('pubdev.agent_progress_interval_ms', '0', true)`);
        for (const progress of [50, 60, 70]) {
          await tx.query(`update public.agent_runs set progress = $2 where id = $1`, [RUN, progress]);
        }
      });
      const seqs = out.map((d) => (d.message.type === 'agent_status' ? d.message.seq : -1)).sort((a, b) => a - b);
      expect(seqs).toEqual([2, 3, 4]);
      expect(new Set(out.map((d) => d.message.id)).size).toBe(3);
      const { result } = await captureMessages(t.db, null, async (tx) => {
        for (const progress of [50, 60])
          await tx.query(`update public.agent_runs set progress = $2 where id = $1`, [RUN, progress]);
        return (await tx.query<{ seq: number }>(`select seq from public.agent_runs where id = $1`, [RUN])).rows;
      });
      expect(result).toEqual([{ seq: 3 }]);
    });

    it('an update that changes nothing agent_status carries sends nothing and keeps seq', async () => {
      // A run started in this transaction: its lease is fresh (the seed's may have run out, and a
      // write to a run past a quarter of its lease renews it, which agent_status does carry).
      const { result, messages } = await captureMessages(t.db, 'acmeAgent', async (tx) => {
        const { rows } = await tx.query<{ id: string }>(
          `insert into public.agent_runs (organization_id, agent_id, status) values ($1, 'quiet-agent', 'processing') returning id`,
          [ACME],
        );
        const id = rows[0]!.id;
        await tx.query(`update public.agent_runs set input = '{"partial":true}', status = 'processing' where id = $1`, [
          id,
        ]);
        return {
          id,
          ...(await tx.query<{ seq: number }>(`select seq from public.agent_runs where id = $1`, [id])).rows[0],
        };
      });
      expect(messages.map((m) => m.payload.id)).toEqual([`${result.id}:1`]); // the insert's, nothing more
      expect(result.seq).toBe(1);
    });

    it('a run about a publisher entering error also notifies the publisher owner (no requester), once', async () => {
      const out = await runMany(t, 'acmeAgent', async (tx) => {
        await tx.query(
          `update public.agent_runs set status = 'error', error = 'rate limited by upstream' where id = $1`,
          [RUN],
        );
        await tx.query(`update public.agent_runs set error = 'still rate limited' where id = $1`, [RUN]);
      });
      const statuses = out.filter((d) => d.message.type === 'agent_status');
      const notifications = out.filter((d) => d.message.type === 'notification');
      expect(statuses.map((d) => d.message.id).sort()).toEqual([`${RUN}:2`, `${RUN}:3`]);
      expect(notifications).toHaveLength(1);
      expect(notifications[0]!.topic).toBe(`user:${USERS.acmeWest.id}`);
      expect(notifications[0]!.message.data).toEqual({
        message: 'Agent enrichment-agent failed: rate limited by upstream',
        level: 'error',
        actionUrl: `/publishers/${SUNRISE.id}`,
        persistent: true,
        userId: USERS.acmeWest.id,
      });
    });

    it('the error notification is a row members can backfill, with the same id', async () => {
      const { result, messages } = await captureMessages(t.db, 'acmeAgent', async (tx) => {
        await tx.query(`update public.agent_runs set status = 'error', error = 'boom' where id = $1`, [RUN]);
        await tx.query('reset role'); // the notification is West's: read it past the agent's RLS
        return (
          await tx.query<{ id: string; source: string; level: string; user_id: string | null }>(
            `select id, source, level, user_id from public.notifications where source = 'agent' and level = 'error'`,
          )
        ).rows;
      });
      const notification = delivered(messages).find((d) => d.message.type === 'notification');
      expect(result).toEqual([
        { id: notification!.message.id, source: 'agent', level: 'error', user_id: USERS.acmeWest.id },
      ]);
    });

    it('an organisation-wide run inserted in error notifies the organisation and joins its activity stream', async () => {
      const out = await run(
        t,
        'acmeAgent',
        `insert into public.agent_runs (organization_id, agent_id, status, error) values ($1, 'import-agent', 'error', 'bad CSV')`,
        [ACME],
      );
      expect(out.map((d) => `${d.topic} ${d.message.type}`).sort()).toEqual([
        `${orgTopic} agent_status`,
        `${orgTopic} notification`,
        `${orgTopic} team_update`,
      ]);
      expect(out.find((d) => d.message.type === 'notification')!.message.data).toMatchObject({
        message: 'Agent import-agent failed: bad CSV',
      });
    });
  });

  describe('publishers → publisher_update per changed field', () => {
    // A publisher change also writes activity items (team_updates with their own broadcasts,
    // tests/db/activity-feed.db.test.ts); these tests count the record's own messages.
    const updates = (out: Delivered[]) => out.filter((d) => d.message.type === 'publisher_update');
    it('one message per field on the record and territory topics, with the new version', async () => {
      const all = await run(
        t,
        'acmeWest',
        `update public.publishers set name = 'Sunrise Books Ltd', status = 'negotiating' where id = $1`,
        [SUNRISE.id],
      );
      const out = updates(all);
      expect(out.map((d) => `${d.topic} ${d.message.id}`).sort()).toEqual(
        [
          `${sunriseTopic} ${SUNRISE.id}:2:name`,
          `${sunriseTopic} ${SUNRISE.id}:2:status`,
          `${westTopic} ${SUNRISE.id}:2:name`,
          `${westTopic} ${SUNRISE.id}:2:status`,
        ].sort(),
      );
      const name = out.find((d) => d.message.id.endsWith(':name'))!.message;
      expect(name).toMatchObject({
        type: 'publisher_update',
        version: 2,
        data: {
          publisherId: SUNRISE.id,
          update: {
            field: 'name',
            oldValue: 'Sunrise Books',
            newValue: 'Sunrise Books Ltd',
            updatedBy: USERS.acmeWest.id,
          },
        },
      });
    });

    it('a territory change: every field on the new record and territory topics, only a "moved" notice on the old ones', async () => {
      const all = await run(
        t,
        'acmeOwner',
        `update public.publishers set territory = 'US_East', status = 'paused' where id = $1`,
        [SUNRISE.id],
      );
      // Its owner (west, US_West only) may not see US_East: the move ends her ownership too.
      const out = updates(all);
      expect(out.map((d) => `${d.topic} ${d.message.id}`).sort()).toEqual(
        [
          `${eastTopic} ${SUNRISE.id}:2:owner_id`,
          `${eastTopic} ${SUNRISE.id}:2:status`,
          `${eastTopic} ${SUNRISE.id}:2:territory`,
          `${sunriseEastTopic} ${SUNRISE.id}:2:owner_id`,
          `${sunriseEastTopic} ${SUNRISE.id}:2:status`,
          `${sunriseEastTopic} ${SUNRISE.id}:2:territory`,
          `${sunriseTopic} ${SUNRISE.id}:2:territory`,
          `${westTopic} ${SUNRISE.id}:2:territory`,
        ].sort(),
      );
      expect(out.find((d) => d.topic === eastTopic && d.message.id.endsWith(':territory'))!.message.data).toEqual({
        publisherId: SUNRISE.id,
        update: { field: 'territory', oldValue: 'US_West', newValue: 'US_East', updatedBy: USERS.acmeOwner.id },
      });
      // The old topics learn that the record left, and nothing else: no new territory, no editor.
      for (const topic of [westTopic, sunriseTopic]) {
        expect(out.find((d) => d.topic === topic)!.message.data, topic).toEqual({
          publisherId: SUNRISE.id,
          update: { field: 'territory', oldValue: 'US_West', updatedBy: null },
        });
      }
    });

    it('to and from no territory: the unassigned record topic is the record topic then', async () => {
      const all = await runMany(t, 'acmeOwner', async (tx) => {
        await tx.query(`update public.publishers set territory = null where id = $1`, [SUNRISE.id]);
        await tx.query(`update public.publishers set territory = 'US_East' where id = $1`, [SUNRISE.id]);
      });
      const out = updates(all);
      expect(out.map((d) => `${d.topic} ${d.message.id}`).sort()).toEqual(
        [
          `${sunriseUnassignedTopic} ${SUNRISE.id}:2:owner_id`,
          `${sunriseUnassignedTopic} ${SUNRISE.id}:2:territory`,
          `${sunriseTopic} ${SUNRISE.id}:2:territory`,
          `${westTopic} ${SUNRISE.id}:2:territory`,
          `${eastTopic} ${SUNRISE.id}:3:territory`,
          `${sunriseEastTopic} ${SUNRISE.id}:3:territory`,
          `${sunriseUnassignedTopic} ${SUNRISE.id}:3:territory`,
        ].sort(),
      );
      const moved = out.filter((d) => d.topic === sunriseUnassignedTopic).map((d) => d.message.data);
      expect(moved).toContainEqual({
        publisherId: SUNRISE.id,
        update: { field: 'territory', oldValue: null, updatedBy: null },
      });
      expect(moved).toContainEqual({
        publisherId: SUNRISE.id,
        update: { field: 'territory', oldValue: 'US_West', newValue: null, updatedBy: USERS.acmeOwner.id },
      });
    });

    it('json and null values travel as JSON: custom_fields and a cleared owner_id', async () => {
      const all = await run(
        t,
        'acmeOwner',
        `update public.publishers set custom_fields = custom_fields || '{"titles":121}', owner_id = null where id = $1`,
        [SUNRISE.id],
      );
      const out = updates(all);
      const byField = Object.fromEntries(
        out.filter((d) => d.topic === sunriseTopic).map((d) => [d.message.id.split(':')[2], d.message.data]),
      );
      expect(byField).toEqual({
        custom_fields: {
          publisherId: SUNRISE.id,
          update: {
            field: 'custom_fields',
            oldValue: { genre: 'fiction', titles: 120 },
            newValue: { genre: 'fiction', titles: 121 },
            updatedBy: USERS.acmeOwner.id,
          },
        },
        owner_id: {
          publisherId: SUNRISE.id,
          update: { field: 'owner_id', oldValue: USERS.acmeWest.id, newValue: null, updatedBy: USERS.acmeOwner.id },
        },
      });
    });

    it('versions increase by one per changing update', async () => {
      const { result, messages } = await captureMessages(t.db, 'acmeOwner', async (tx) => {
        await tx.query(`update public.publishers set status = 'paused' where id = $1`, [SUNRISE.id]);
        await tx.query(`update public.publishers set status = 'active' where id = $1`, [SUNRISE.id]);
        return (
          await tx.query<{ version: number }>(`select version from public.publishers where id = $1`, [SUNRISE.id])
        ).rows[0];
      });
      expect(result).toEqual({ version: 3 });
      const versions = delivered(messages)
        .filter((d) => d.topic === sunriseTopic)
        .map((d) => (d.message.type === 'publisher_update' ? d.message.version : 0));
      expect(versions.sort()).toEqual([2, 3]);
    });

    it('an update that changes nothing sends nothing and keeps the version', async () => {
      const { result, messages } = await captureMessages(t.db, 'acmeOwner', async (tx) => {
        await tx.query(`update public.publishers set name = name, status = 'active' where id = $1`, [SUNRISE.id]);
        return (
          await tx.query<{ version: number }>(`select version from public.publishers where id = $1`, [SUNRISE.id])
        ).rows[0];
      });
      expect(messages).toEqual([]);
      expect(result).toEqual({ version: 1 });
    });

    it('the service role is attributed only when it names the user it acts for', async () => {
      const anonymous = updates(
        await run(t, null, `update public.publishers set status = 'paused' where id = $1`, [SUNRISE.id]),
      );
      expect(anonymous[0]!.message.data).toMatchObject({ update: { updatedBy: null } });
      const named = updates(
        await run(t, null, `update public.publishers set status = 'paused', updated_by = $2 where id = $1`, [
          SUNRISE.id,
          USERS.acmeWest.id,
        ]),
      );
      expect(named[0]!.message.data).toMatchObject({ update: { updatedBy: USERS.acmeWest.id } });
    });
  });

  describe('team_updates → team_update', () => {
    it('an org-wide update goes to org:<org>', async () => {
      const out = await run(
        t,
        'acmeOwner',
        `insert into public.team_updates (id, organization_id, update_type, message, user_id) values ($1, $2, 'assignment', 'Standup moved', $3)`,
        ['f0000000-0000-4000-8000-0000000000a1', ACME, USERS.acmeOwner.id],
      );
      expect(out).toEqual([
        {
          topic: orgTopic,
          message: {
            id: 'f0000000-0000-4000-8000-0000000000a1',
            type: 'team_update',
            timestamp: expect.any(String),
            data: {
              updateType: 'assignment',
              message: 'Standup moved',
              userId: USERS.acmeOwner.id,
              territory: null,
              details: {},
            },
          },
        },
      ]);
    });

    it('a territory update goes to org:<org>:territory:<t> only', async () => {
      const out = await run(
        t,
        'acmeWest',
        `insert into public.team_updates (organization_id, update_type, message, user_id, territory, details)
         values ($1, 'publisher_update', 'Pacific Press call booked', $2, 'US_West', '{"publisherId":"${PUBLISHERS.pacificPress.id}"}')`,
        [ACME, USERS.acmeWest.id],
      );
      expect(out.map((d) => d.topic)).toEqual([westTopic]);
      expect(out[0]!.message.data).toMatchObject({
        territory: 'US_West',
        details: { publisherId: PUBLISHERS.pacificPress.id },
      });
    });

    it('mentions notify each mentioned member of the organisation once, and nobody else', async () => {
      const stranger = 'b0000000-0000-4000-8000-0000000000ff';
      const { result, messages } = await captureMessages(t.db, 'acmeOwner', async (tx) => {
        await tx.query(
          `insert into public.team_updates (organization_id, update_type, message, user_id, details)
           values ($1, 'assignment', 'Please review', $2, $3)`,
          [
            ACME,
            USERS.acmeOwner.id,
            JSON.stringify({
              mentions: [USERS.acmeWest.id, USERS.globexMember.id, stranger, USERS.acmeWest.id, USERS.acmeAgent.id],
            }),
          ],
        );
        await tx.query('reset role');
        return (
          await tx.query<{ user_id: string; level: string; source: string; organization_id: string }>(
            `select user_id, level, source, organization_id from public.notifications where source = 'mention' and message = 'You were mentioned: Please review' order by user_id`,
          )
        ).rows;
      });
      expect(result).toEqual(
        [
          { user_id: USERS.acmeWest.id, level: 'info', source: 'mention', organization_id: ACME },
          { user_id: USERS.acmeAgent.id, level: 'info', source: 'mention', organization_id: ACME },
        ].sort((a, b) => a.user_id.localeCompare(b.user_id)),
      );
      const out = delivered(messages);
      expect(out.map((d) => `${d.topic} ${d.message.type}`).sort()).toEqual(
        [
          `${orgTopic} team_update`,
          `user:${USERS.acmeAgent.id} notification`,
          `user:${USERS.acmeWest.id} notification`,
        ].sort(),
      );
      // It links to the item in the dashboard's activity list, and stays until read.
      const item = out.find((d) => d.message.type === 'team_update')!.message.id;
      expect(out.find((d) => d.topic === `user:${USERS.acmeWest.id}`)!.message.data).toEqual({
        message: 'You were mentioned: Please review',
        level: 'info',
        actionUrl: `/#update-${item}`,
        persistent: true,
        userId: USERS.acmeWest.id,
      });
    });

    it('a mention in a territory update reaches only members allowed that territory', async () => {
      const { result } = await captureMessages(t.db, 'acmeOwner', async (tx) => {
        await tx.query(
          `insert into public.team_updates (organization_id, update_type, message, user_id, territory, details)
           values ($1, 'assignment', 'Harbor House terms', $2, 'US_East', $3)`,
          [ACME, USERS.acmeOwner.id, JSON.stringify({ mentions: [USERS.acmeWest.id, USERS.acmeAgent.id] })],
        );
        await tx.query('reset role');
        return (
          await tx.query<{ user_id: string }>(
            `select user_id from public.notifications where message = 'You were mentioned: Harbor House terms'`,
          )
        ).rows;
      });
      // West may not read US_East: the quote of a US_East update must not reach her.
      expect(result).toEqual([{ user_id: USERS.acmeAgent.id }]);
    });

    it('mentions that are not lowercase uuids are refused by the table', async () => {
      await expect(
        run(
          t,
          null,
          `insert into public.team_updates (organization_id, update_type, message, details) values ($1, 'assignment', 'x', $2)`,
          [ACME, JSON.stringify({ mentions: [USERS.acmeWest.id.toUpperCase()] })],
        ),
      ).rejects.toMatchObject({ code: '23514' });
    });
  });

  describe('notifications → notification', () => {
    it('a personal notification goes to user:<user>', async () => {
      const out = await run(
        t,
        null,
        `insert into public.notifications (id, organization_id, user_id, level, message, action_url, persistent, source)
         values ($1, $2, $3, 'warning', 'Contract expires soon', '/publishers/x', true, 'system')`,
        ['e0000000-0000-4000-8000-0000000000a1', ACME, USERS.acmeWest.id],
      );
      expect(out).toEqual([
        {
          topic: `user:${USERS.acmeWest.id}`,
          message: {
            id: 'e0000000-0000-4000-8000-0000000000a1',
            type: 'notification',
            timestamp: expect.any(String),
            data: {
              message: 'Contract expires soon',
              level: 'warning',
              actionUrl: '/publishers/x',
              persistent: true,
              userId: USERS.acmeWest.id,
            },
          },
        },
      ]);
    });

    it('an org-wide notification goes to org:<org>', async () => {
      const out = await run(
        t,
        null,
        `insert into public.notifications (organization_id, message) values ($1, 'Maintenance tonight')`,
        [GLOBEX],
      );
      expect(out.map((d) => d.topic)).toEqual([`org:${GLOBEX}`]);
      expect(out[0]!.message.data).toMatchObject({ message: 'Maintenance tonight', level: 'info', userId: null });
    });

    it('marking a notification read sends nothing', async () => {
      const out = await run(t, 'acmeOwner', `update public.notifications set read_at = now() where user_id = $1`, [
        USERS.acmeOwner.id,
      ]);
      expect(out).toEqual([]);
    });
  });

  it('timestamps are ISO-8601 UTC with milliseconds', async () => {
    const out = await run(t, null, `insert into public.notifications (organization_id, message) values ($1, 'tick')`, [
      ACME,
    ]);
    expect(out[0]!.message.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('the seed broadcast its rows like any other write', async () => {
    const { rows } = await t.db.query<{ topic: string; event: string; id: string }>(
      `select topic, event, payload ->> 'id' as id from realtime.messages where topic like 'org:${ACME}%' order by topic, payload ->> 'id'`,
    );
    // The org-wide scoring run on org:<org>, the run about Sunrise Books on US_West's topic.
    expect(rows.filter((r) => r.event === 'agent_status').map((r) => `${r.topic} ${r.id}`)).toEqual([
      `${orgTopic} ${AGENT_RUNS.acmeScoring.id}:1`,
      `${westTopic} ${RUN}:1`,
    ]);
  });
});
