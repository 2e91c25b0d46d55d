/**
 * The local stack's gateway killed (SIGKILL) and restarted on the same port while a writer keeps
 * writing to PostgreSQL directly. After the reconnect, every agent run's final state, every team
 * update and every notification written before, during and after the outage is in the stores,
 * exactly once, in order.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealtimeClient, type LostConnectionEvent, type RealtimeClient } from '../../src/realtime/index.ts';
import { createTestDatabase, TEST_POSTGRES_URL, type TestDatabase } from '../_db.ts';
import { ACME, record, until } from './_client-stack.ts';
import { freePort, signedInClient, startStackProcess, stopStackProcess, type StackProcess } from './_stack-process.ts';

/** One phase's writes, straight into PostgreSQL as a backend worker would. */
async function writePhase(db: pg.Client, phase: string, runIds: string[]): Promise<void> {
  for (let i = 1; i <= 5; i++) {
    await db.query(
      `insert into public.team_updates (organization_id, update_type, message) values ($1, 'assignment', $2)`,
      [ACME, `${phase} update ${i}`],
    );
    await db.query(
      `insert into public.notifications (organization_id, level, message, persistent) values ($1, 'info', $2, true)`,
      [ACME, `${phase} notice ${i}`],
    );
  }
  for (const [index, runId] of runIds.entries()) {
    for (const progress of [25, 50, 75]) {
      await db.query(
        `update public.agent_runs set status = 'processing', progress = $2, current_task = $3 where id = $1`,
        [runId, progress, `${phase} ${progress}`],
      );
    }
    await db.query(`update public.agent_runs set status = $2, progress = 100, current_task = $3 where id = $1`, [
      runId,
      index % 2 ? 'error' : 'completed',
      `${phase} final`,
    ]);
  }
}

describe.runIf(TEST_POSTGRES_URL)('gateway outage on PostgreSQL', () => {
  let database: TestDatabase;
  let writer: pg.Client;
  let stack: StackProcess;
  let port: number;
  let core: RealtimeClient;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    writer = new pg.Client({ connectionString: database.url });
    await writer.connect();
    port = await freePort();
    stack = await startStackProcess({ DATABASE_URL: database.url!, PUBDEV_PORT: String(port) });
  });
  afterAll(async () => {
    await core?.dispose();
    await stopStackProcess(stack);
    await writer.end();
    await database.dispose();
  });

  it('after SIGKILL and a restart on the same port, everything written before, during and after is present once, in order', async () => {
    const supabase = await signedInClient(stack.url, 'acmeOwner');
    core = createRealtimeClient({
      supabase,
      organizationId: ACME,
      lostConnectionTimeoutMs: 500,
      failedConnectionTimeoutMs: 1500,
    });
    const events: LostConnectionEvent[] = [];
    core.connection.onLostConnection((event) => events.push(event));
    const stores = [record(core.agents), record(core.teamUpdates), record(core.notifications)];
    await until(core.connection, (c) => c.status === 'connected', 'the first connection');

    const runs: string[] = [];
    for (const phase of ['before', 'during', 'after']) {
      for (let i = 0; i < 2; i++) {
        const { rows } = await writer.query<{ id: string }>(
          `insert into public.agent_runs (organization_id, agent_id, status) values ($1, $2, 'queued') returning id`,
          [ACME, `${phase}-agent-${i}`],
        );
        runs.push(rows[0]!.id);
      }
    }
    const phaseRuns = (phase: number) => runs.slice(phase * 2, phase * 2 + 2);

    await writePhase(writer, 'before', phaseRuns(0));
    await until(
      core.teamUpdates,
      (list) => list.some((u) => u.message === 'before update 5'),
      'the last update before the outage',
    );

    await stopStackProcess(stack, true); // SIGKILL: no goodbye to any socket
    await until(core.connection, (c) => c.status === 'reconnecting', 'the client to notice');
    await writePhase(writer, 'during', phaseRuns(1));
    // Lost after 0.5 s, failed after 1.5 s more: the UI's toast, then its "gave up" state.
    await until(
      { subscribe: (l) => core.connection.onLostConnection(() => l()), getSnapshot: () => events.includes('failed') },
      Boolean,
      'the failed event',
    );
    expect(core.connection.getSnapshot().status).toBe('disconnected');

    stack = await startStackProcess({ DATABASE_URL: database.url!, PUBDEV_PORT: String(port) });
    await writePhase(writer, 'after', phaseRuns(2));

    // The database's own view: what must be on screen, in the order it must be shown.
    const expectedUpdates = (
      await writer.query<{ id: string }>(
        `select id from public.team_updates where organization_id = $1 order by created_at desc, id desc`,
        [ACME],
      )
    ).rows.map((r) => r.id);
    const expectedNotes = (
      await writer.query<{ id: string }>(
        `select id from public.notifications where organization_id = $1 and (user_id is null or user_id = $2) order by created_at desc, id desc`,
        [ACME, 'a0000000-0000-4000-8000-000000000001'],
      )
    ).rows.map((r) => r.id);
    const finals = (
      await writer.query<{ id: string; status: string; seq: string; current_task: string }>(
        `select id, status, seq, current_task from public.agent_runs where id = any($1)`,
        [runs],
      )
    ).rows;

    await until(
      core.teamUpdates,
      (list) => list.some((u) => u.message === 'after update 5'),
      'the last update after the restart',
      20_000,
    );
    await until(
      core.notifications,
      (s) => s.notifications.some((n) => n.message === 'after notice 5'),
      'the last notice after the restart',
      20_000,
    );
    await until(
      core.agents,
      (list) => finals.every((f) => list.some((r) => r.runId === f.id && r.seq === Number(f.seq))),
      'every final run state',
      20_000,
    );

    expect(core.teamUpdates.getSnapshot().map((u) => u.id)).toEqual(expectedUpdates);
    expect(core.notifications.getSnapshot().notifications.map((n) => n.id)).toEqual(expectedNotes);
    for (const final of finals) {
      expect(core.agents.getSnapshot().find((r) => r.runId === final.id)).toMatchObject({
        status: final.status,
        progress: { currentTask: final.current_task },
        seq: Number(final.seq),
      });
    }
    await until(core.connection, (c) => c.status === 'connected', 'the socket back', 20_000);
    expect(events).toEqual(['lost', 'failed', 'restored']);
    // Nothing was lost or doubled after the socket came back and every channel re-joined.
    await expect
      .poll(() => supabase.getChannels().map((c) => c.state), { timeout: 20_000 })
      .toEqual(['joined', 'joined', 'joined', 'joined']); // org, user and two territory topics
    expect(core.teamUpdates.getSnapshot().map((u) => u.id)).toEqual(expectedUpdates);
    expect(core.notifications.getSnapshot().notifications.map((n) => n.id)).toEqual(expectedNotes);
    for (const store of stores) store.stop();
  });
});
