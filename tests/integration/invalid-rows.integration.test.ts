/**
 * Rows the client cannot read — the database is a migration ahead of it: a status, level or type
 * it does not know, a column that became nullable — are reported the same way by every store that
 * reads a table: `onError` gets `{ kind: 'request', operation }` naming the first bad field, the
 * row is left out, and the rows around it are shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeError } from '../../src/realtime/index.ts';
import { BACKENDS } from '../_db.ts';
import { ACME, record, startClientStack, until, type ClientStack } from './_client-stack.ts';

/** The database drifts ahead of the client (this stack's own database only). */
const DRIFT = [
  'alter table public.agent_runs drop constraint agent_runs_status_check',
  'alter table public.team_updates drop constraint team_updates_update_type_check',
  'alter table public.notifications drop constraint notifications_level_check',
  'alter table public.publishers alter column name drop not null',
];

/** What each store reports an unreadable row as, and the field it names. */
const EXPECTED = {
  'agent_runs backfill': /^status: /,
  'team_updates backfill': /^update_type: /,
  'notifications backfill': /^level: /,
  'publishers backfill': /^name: /,
  'publisher read': /^name: /,
};

describe.each(BACKENDS)('rows the client cannot read (%s)', (backend) => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack(backend);
    for (const sql of DRIFT) await rt.database.db.query(sql);
  });
  afterAll(() => rt.stop());

  it('every store that reads a table reports an unreadable row, leaves it out and shows the rest', async () => {
    const insert = async (sql: string) => (await rt.database.db.query<{ id: string }>(sql, [ACME])).rows[0]!.id;
    const run = await insert(
      `insert into public.agent_runs (organization_id, agent_id, status) values ($1, 'drift-agent', 'paused') returning id`,
    );
    const update = await insert(
      `insert into public.team_updates (organization_id, update_type, message) values ($1, 'escalation', 'Drifted') returning id`,
    );
    const notification = await insert(
      `insert into public.notifications (organization_id, level, message) values ($1, 'critical', 'Drifted') returning id`,
    );
    const publisher = await insert(
      `insert into public.publishers (organization_id, name, territory) values ($1, null, 'US_West') returning id`,
    );

    const { core } = await rt.core('acmeOwner');
    const errors: RealtimeError[] = [];
    core.onError((error) => errors.push(error));
    const views = [
      record(core.agents),
      record(core.teamUpdates),
      record(core.notifications),
      record(core.publishers),
      record(core.publisher(publisher)),
    ];
    const reported = (operation: string) =>
      errors.find((e) => e.context.kind === 'request' && e.context.operation === operation);
    await expect
      .poll(() => Object.keys(EXPECTED).filter((operation) => !reported(operation)), { timeout: 8000 })
      .toEqual([]);
    for (const [operation, field] of Object.entries(EXPECTED)) {
      expect(reported(operation)!.context).toEqual({ kind: 'request', operation });
      expect(reported(operation)!.message).toMatch(field);
    }

    // The readable rows of the same reads are shown; the unreadable ones are not.
    const runs = await until(core.agents, (list) => list.length >= 2, 'the seeded runs');
    const updates = await until(core.teamUpdates, (list) => list.length > 0, 'the seeded updates');
    const inbox = await until(core.notifications, (s) => s.notifications.length > 0, 'the seeded notifications');
    const publishers = await until(core.publishers, (list) => list.length >= 4, 'the seeded publishers');
    expect(runs.some((r) => r.runId === run)).toBe(false);
    expect(updates.some((u) => u.id === update)).toBe(false);
    expect(inbox.notifications.some((n) => n.id === notification)).toBe(false);
    expect(publishers.some((p) => p.id === publisher)).toBe(false);
    expect(core.publisher(publisher).getSnapshot().publisher).toBeNull();
    for (const view of views) view.stop();
  });
});
