/**
 * Agent runs in the database: the lifecycle the trigger enforces (and the exact refusals), one
 * broadcast per transition in seq order, the work queue (positions from 1, claims), leases and
 * stalled runs, cancel and retry with their permissions and history, and who is notified.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPostgresError, withClaims, type Queryable } from '../../local-stack/db/index.ts';
import { ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { fixtureClaims, type FixtureUser } from '../_support/tokens.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { captureMessages } from './_as-user.ts';

const ACME = ORGS.acme.id;
const HARBOR = PUBLISHERS.harborHouse; // US_East
const SUNRISE = PUBLISHERS.sunriseBooks; // US_West

interface RunRow {
  id: string;
  status: string;
  attempt: number;
  seq: number;
  queue_position: number | null;
  claimed_by: string | null;
  lease_expires_at: Date | null;
}

describe.each(BACKENDS)('agent runs on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  /** Runs `sql` as `user` in its own committed transaction. */
  const as = async <R extends object = RunRow>(user: FixtureUser, sql: string, params: unknown[] = []) =>
    (await withClaims(t.db, fixtureClaims(user), (tx: Queryable) => tx.query<R>(sql, params))).rows;

  /** The SQLSTATE and message a statement was refused with. */
  const refusal = async (user: FixtureUser, sql: string, params: unknown[] = []) => {
    try {
      await as(user, sql, params);
    } catch (error) {
      if (isPostgresError(error)) return { code: error.code, message: error.message, detail: error.detail };
      throw error;
    }
    throw new Error(`not refused: ${sql}`);
  };

  const enqueue = (
    agent: string,
    task: string,
    extra: { publisher?: string; priority?: number; by?: FixtureUser } = {},
  ) =>
    as(
      extra.by ?? 'acmeOwner',
      `insert into public.agent_runs (organization_id, agent_id, status, current_task, publisher_id, priority)
       values ($1, $2, 'queued', $3, $4, $5) returning id`,
      [ACME, agent, task, extra.publisher ?? null, extra.priority ?? 0],
    ).then(
      async ([row]) => (await t.db.query<RunRow>(`select * from public.agent_runs where id = $1`, [row!.id])).rows[0]!,
    );

  const positions = async (agent: string) =>
    (
      await t.db.query<{ current_task: string; queue_position: number | null }>(
        `select current_task, queue_position from public.agent_runs
          where agent_id = $1 and status = 'queued' order by priority desc, created_at, id`,
        [agent],
      )
    ).rows.map((r) => `${r.current_task}:${r.queue_position ?? '-'}`);

  const claim = (agent: string, user: FixtureUser = 'acmeAgent', lease: number | null = null) =>
    as(user, `select * from public.claim_next_work($1, $2, $3)`, [ACME, agent, lease]).then((rows) => rows[0]);

  describe('lifecycle', () => {
    it('queued → processing → completed: each transition broadcast once, in seq order; progress in between paced', async () => {
      const run = await enqueue('life-agent', 'Enrich');
      const { messages } = await captureMessages(t.db, 'acmeAgent', async (tx) => {
        await tx.query(`select * from public.claim_next_work($1, 'life-agent')`, [ACME]);
        await tx.query(`update public.agent_runs set progress = 50 where id = $1`, [run.id]);
        await tx.query(
          `update public.agent_runs set status = 'completed', progress = 100, result = '{"found":3}' where id = $1`,
          [run.id],
        );
      });
      const statuses = messages.filter((m) => m.event === 'agent_status').map((m) => m.payload) as unknown as {
        seq: number;
        previousSeq: number | null;
        data: { status: string; result: unknown; progress: { progress: number } | null };
      }[];
      // Enqueued at seq 1, numbered 1st in its queue at seq 2: then one message per change of
      // state; the progress right after the claim (seq 4) is held back, and the completion, which
      // carries its own progress, says the previous broadcast was seq 3.
      expect(run).toMatchObject({ seq: 2, queue_position: 1 });
      expect(statuses.map((m) => `${m.seq}:${m.data.status}`).sort()).toEqual(['3:processing', '5:completed']);
      const completed = statuses.find((m) => m.data.status === 'completed')!;
      expect(completed).toMatchObject({ previousSeq: 3, data: { result: { found: 3 }, progress: { progress: 100 } } });
    });

    it('refuses a transition outside the lifecycle with PT409, naming the run and both statuses', async () => {
      const run = await enqueue('strict-agent', 'Strict');
      expect(
        await refusal('acmeAgent', `update public.agent_runs set status = 'completed' where id = $1`, [run.id]),
      ).toEqual({
        code: 'PT409',
        message: `agent run ${run.id}: queued → completed is not a transition of the run lifecycle`,
        detail: 'current status: queued',
      });
      await as('acmeAgent', `select public.cancel_agent_run($1)`, [run.id]);
      expect(
        await refusal('acmeAgent', `update public.agent_runs set status = 'processing', progress = 10 where id = $1`, [
          run.id,
        ]),
      ).toEqual({
        code: 'PT409',
        message: `agent run ${run.id}: it was cancelled`,
        detail: 'current status: cancelled',
      });
    });

    it('refuses a write for an attempt that is over (a worker that lost its run)', async () => {
      const run = await enqueue('zombie-agent', 'Zombie');
      await claim('zombie-agent');
      await as(
        'acmeAgent',
        `update public.agent_runs set status = 'queued', attempt = 2, error = 'boom' where id = $1`,
        [run.id],
      );
      await claim('zombie-agent');
      expect(
        await refusal('acmeAgent', `update public.agent_runs set progress = 70, attempt = 1 where id = $1`, [run.id]),
      ).toMatchObject({ code: 'PT409', message: `agent run ${run.id}: attempt 1 is not the current one (attempt 2)` });
    });

    it('owns seq, lease, claimer and position: values a client writes there are replaced', async () => {
      const run = await enqueue('owned-agent', 'Owned');
      await as(
        'acmeAgent',
        `update public.agent_runs set queue_position = 99, seq = 1000, claimed_by = $2 where id = $1`,
        [run.id, USERS.acmeWest.id],
      );
      const [row] = await t.db
        .query<RunRow>(`select * from public.agent_runs where id = $1`, [run.id])
        .then((r) => r.rows);
      expect(row).toMatchObject({ queue_position: 1, claimed_by: null, seq: Number(run.seq) });
    });
  });

  describe('queue', () => {
    it('positions start at 1, follow priority then creation order, and move as items are claimed', async () => {
      await enqueue('queue-agent', 'a');
      await enqueue('queue-agent', 'b');
      await enqueue('queue-agent', 'c');
      expect(await positions('queue-agent')).toEqual(['a:1', 'b:2', 'c:3']);
      await enqueue('queue-agent', 'urgent', { priority: 5 });
      expect(await positions('queue-agent')).toEqual(['urgent:1', 'a:2', 'b:3', 'c:4']);
      const { result: claimed, messages } = await captureMessages(t.db, 'acmeAgent', async (tx) => {
        const rows = (
          await tx.query<RunRow & { current_task: string }>(`select * from public.claim_next_work($1, 'queue-agent')`, [
            ACME,
          ])
        ).rows;
        return rows[0]!;
      });
      expect(claimed).toMatchObject({ current_task: 'urgent', status: 'processing', claimed_by: USERS.acmeAgent.id });
      // The claim and the three positions that moved, each one message.
      const moved = messages.map(
        (m) => (m.payload as unknown as { data: { status: string; queuePosition: number | null } }).data,
      );
      expect(moved.map((d) => `${d.status}:${d.queuePosition ?? '-'}`).sort()).toEqual([
        'processing:-',
        'queued:1',
        'queued:2',
        'queued:3',
      ]);
    });

    it('only the head of a long queue carries positions (1..10)', async () => {
      for (let i = 1; i <= 12; i++) await enqueue('long-agent', `item${i}`);
      const shown = await positions('long-agent');
      expect(shown.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `item${i + 1}:${i + 1}`));
      expect(shown.slice(10)).toEqual(['item11:-', 'item12:-']);
      await claim('long-agent');
      expect((await positions('long-agent')).at(-2)).toBe('item11:10');
    });

    it('an empty queue gives no row; a member may not claim', async () => {
      expect(await claim('nobody-queued')).toBeUndefined();
      expect(await refusal('acmeWest', `select * from public.claim_next_work($1, 'x')`, [ACME])).toMatchObject({
        code: '42501',
        message: 'only agent accounts, owners and admins of the organization claim work',
      });
    });

    it.runIf(backend === 'postgres')(
      '1,000 claims by 4 workers on 4 connections: no item twice, none lost',
      { timeout: 120_000 },
      async () => {
        const agent = 'thousand-agent';
        await t.db.query(
          `insert into public.agent_runs (organization_id, agent_id, status, current_task)
           select $1, $2, 'queued', 'item ' || i from generate_series(1, 1000) as i`,
          [ACME, agent],
        );
        const claims = JSON.stringify(fixtureClaims('acmeAgent'));
        const worker = async () => {
          const client = new pg.Client({ connectionString: t.url });
          await client.connect();
          const got: string[] = [];
          try {
            for (;;) {
              await client.query('begin');
              await client.query(
                `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
                [claims],
              );
              const { rows } = await client.query<{ id: string }>(`select id from public.claim_next_work($1, $2)`, [
                ACME,
                agent,
              ]);
              await client.query('commit');
              if (rows.length === 0) return got;
              got.push(rows[0]!.id);
            }
          } finally {
            await client.end();
          }
        };
        const results = await Promise.all([worker(), worker(), worker(), worker()]);
        const all = results.flat();
        expect(all).toHaveLength(1000);
        expect(new Set(all).size).toBe(1000);
        expect(results.every((r) => r.length > 0)).toBe(true);
        const { rows } = await t.db.query<{ status: string; n: number }>(
          `select status, count(*)::int as n from public.agent_runs where agent_id = $1 group by status`,
          [agent],
        );
        expect(rows).toEqual([{ status: 'processing', n: 1000 }]);
      },
    );
  });

  describe('leases', () => {
    it('an expired lease shows the run stalled and out of the running count; a report revives it', async () => {
      const run = await enqueue('lease-agent', 'Lease');
      await claim('lease-agent', 'acmeAgent', 1);
      const view = () =>
        as<{ stalled: boolean; running: number }>(
          'acmeOwner',
          `select s.stalled,
                  (select count(*)::int from public.agent_run_states x
                    where x.agent_id = 'lease-agent' and x.status = 'processing' and not x.stalled) as running
             from public.agent_run_states s where s.id = $1`,
          [run.id],
        ).then((rows) => rows[0]!);
      expect(await view()).toEqual({ stalled: false, running: 1 });
      await t.db.query(`select pg_sleep(1.2)`);
      expect(await view()).toEqual({ stalled: true, running: 0 });
      await as('acmeAgent', `update public.agent_runs set progress = 20 where id = $1`, [run.id]);
      expect(await view()).toEqual({ stalled: false, running: 1 });
    });

    it('a stalled run is retried as the next attempt, its attempt history kept as stalled', async () => {
      const run = await enqueue('stall-agent', 'Stall');
      await claim('stall-agent', 'acmeAgent', 1);
      expect(await refusal('acmeOwner', `select public.retry_agent_run($1)`, [run.id])).toMatchObject({
        code: 'PT409',
        message: `agent run ${run.id} is running: only failed or stalled runs can be retried`,
      });
      await t.db.query(`select pg_sleep(1.2)`);
      const [retried] = await as('acmeOwner', `select * from public.retry_agent_run($1)`, [run.id]);
      expect(retried).toMatchObject({ status: 'queued', attempt: 2, queue_position: 1 });
      const history = await as<{ attempt: number; outcome: string }>(
        'acmeOwner',
        `select attempt, outcome from public.agent_run_attempts where run_id = $1`,
        [run.id],
      );
      expect(history).toEqual([{ attempt: 1, outcome: 'stalled' }]);
    });

    it('the sweeper re-queues stalled runs, and fails them after the last attempt', async () => {
      const run = await enqueue('sweep-agent', 'Sweep');
      await claim('sweep-agent', 'acmeAgent', 1);
      await t.db.query(`select pg_sleep(1.2)`);
      await t.db.query(`select private.requeue_stalled_agent_runs(2)`);
      await claim('sweep-agent', 'acmeAgent', 1);
      await t.db.query(`select pg_sleep(1.2)`);
      await t.db.query(`select private.requeue_stalled_agent_runs(2)`);
      const [row] = await t.db
        .query<RunRow & { error: string }>(`select * from public.agent_runs where id = $1`, [run.id])
        .then((r) => r.rows);
      expect(row).toMatchObject({
        status: 'error',
        attempt: 2,
        error: 'Stalled 2 times: no report before its lease expired',
      });
    });
  });

  describe('control and history', () => {
    it('a retry increments the attempt and keeps the history of every attempt', async () => {
      const run = await enqueue('retry-agent', 'Retry me', { by: 'acmeWest', publisher: SUNRISE.id });
      await claim('retry-agent');
      await as('acmeAgent', `update public.agent_runs set status = 'error', error = 'upstream 504' where id = $1`, [
        run.id,
      ]);
      const [retried] = await as('acmeWest', `select * from public.retry_agent_run($1)`, [run.id]);
      expect(retried).toMatchObject({ status: 'queued', attempt: 2 });
      await claim('retry-agent');
      await as('acmeAgent', `update public.agent_runs set status = 'completed', result = '{"ok":true}' where id = $1`, [
        run.id,
      ]);
      const history = await as<{ attempt: number; outcome: string; error: string | null }>(
        'acmeWest',
        `select attempt, outcome, error from public.agent_run_attempts where run_id = $1 order by attempt`,
        [run.id],
      );
      expect(history).toEqual([
        { attempt: 1, outcome: 'error', error: 'upstream 504' },
        { attempt: 2, outcome: 'completed', error: null },
      ]);
    });

    it('cancel: owners and the requester may; another member is refused; a run they cannot see is not found', async () => {
      const west = await enqueue('cancel-agent', 'West work', { by: 'acmeWest', publisher: SUNRISE.id });
      const owners = await enqueue('cancel-agent', 'Owner work', { publisher: SUNRISE.id });
      const east = await enqueue('cancel-agent', 'East work', { publisher: HARBOR.id });
      expect(await refusal('acmeWest', `select public.cancel_agent_run($1)`, [owners.id])).toEqual({
        code: '42501',
        message: 'only owners, admins, agent accounts and the person who requested a run may cancel it',
        detail: undefined,
      });
      expect(await refusal('acmeWest', `select public.cancel_agent_run($1)`, [east.id])).toMatchObject({
        code: 'PT404',
        message: `agent run ${east.id} not found`,
      });
      expect(await refusal('globexMember', `select public.cancel_agent_run($1)`, [west.id])).toMatchObject({
        code: 'PT404',
      });
      expect((await as('acmeWest', `select * from public.cancel_agent_run($1)`, [west.id]))[0]).toMatchObject({
        status: 'cancelled',
      });
      expect((await as('acmeOwner', `select * from public.cancel_agent_run($1)`, [east.id]))[0]).toMatchObject({
        status: 'cancelled',
      });
      expect(await positions('cancel-agent')).toEqual(['Owner work:1']);
    });

    it('completion notifies the requester with the result summary and a link to the publisher', async () => {
      const run = await enqueue('notify-agent', 'Enriching Sunrise Books', { by: 'acmeWest', publisher: SUNRISE.id });
      await claim('notify-agent');
      const { messages } = await captureMessages(t.db, 'acmeAgent', (tx) =>
        tx.query(
          `update public.agent_runs set status = 'completed', result = '{"contactsFound":5,"source":"crm"}' where id = $1`,
          [run.id],
        ),
      );
      const notifications = messages.filter((m) => m.event === 'notification');
      expect(notifications.map((m) => m.topic)).toEqual([`user:${USERS.acmeWest.id}`]);
      expect((notifications[0]!.payload as unknown as { data: unknown }).data).toEqual({
        message: 'Agent notify-agent completed Enriching Sunrise Books: contactsFound: 5, source: crm',
        level: 'success',
        actionUrl: `/publishers/${SUNRISE.id}`,
        persistent: false,
        userId: USERS.acmeWest.id,
      });
    });

    it('organisation-wide work notifies the organisation; a failure about a publisher tells only its requester', async () => {
      const orgWide = await enqueue('org-agent', 'Weekly scoring');
      await claim('org-agent');
      const done = await captureMessages(t.db, 'acmeAgent', (tx) =>
        tx.query(`update public.agent_runs set status = 'completed', result = '{"scored":4}' where id = $1`, [
          orgWide.id,
        ]),
      );
      expect(done.messages.filter((m) => m.event === 'notification').map((m) => m.topic)).toEqual([`org:${ACME}`]);
      const east = await enqueue('org-agent', 'Enriching Harbor House', { publisher: HARBOR.id });
      await claim('org-agent');
      const failed = await captureMessages(t.db, 'acmeAgent', (tx) =>
        tx.query(`update public.agent_runs set status = 'error', error = 'timeout' where id = $1`, [east.id]),
      );
      // The activity stream's item about it is scoped like the run, to the publisher's territory.
      expect(failed.messages.map((m) => `${m.event} ${m.topic}`).sort()).toEqual([
        `agent_status org:${ACME}:territory:US_East`,
        `notification user:${USERS.acmeOwner.id}`,
        `team_update org:${ACME}:territory:US_East`,
      ]);
    });
  });
});
