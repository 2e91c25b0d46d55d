/**
 * Agent progress paced where it is born (migration 20261215000000_agent_progress_pacing.sql,
 * docs/capacity.md "Agent progress"): every change of state is broadcast at once; progress alone at
 * most once per interval; a held value goes out with the run's next write once the interval has
 * passed (even a write that changes nothing) or with the next change of state; every agent_status
 * names the seq of the run's previous broadcast. Each case runs in one rolled-back transaction, with
 * the interval set for that transaction (`pubdev.agent_progress_interval_ms`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../local-stack/db/index.ts';
import { ORGS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { captureMessages } from './_as-user.ts';

const ACME = ORGS.acme.id;

interface Sent {
  seq: number;
  previousSeq: number | null;
  status: string;
  progress: number | null;
}

describe.each(BACKENDS)('agent progress pacing on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  /** Runs `steps` as the agent account with the given interval; returns the agent_status messages in seq order. */
  const paced = async (intervalMs: string, steps: (tx: Queryable, run: string) => Promise<void>): Promise<Sent[]> => {
    const { messages } = await captureMessages(t.db, 'acmeAgent', async (tx) => {
      await tx.query(`select set_config('pubdev.agent_progress_interval_ms', $1, true)`, [intervalMs]);
      const { rows } = await tx.query<{ id: string }>(
        `insert into public.agent_runs (organization_id, agent_id, status, progress) values ($1, 'pacing-agent', 'processing', 0) returning id`,
        [ACME],
      );
      await steps(tx, rows[0]!.id);
    });
    return messages
      .filter((m) => m.event === 'agent_status')
      .map((m) => {
        const payload = m.payload as unknown as {
          seq: number;
          previousSeq: number | null;
          data: { status: string; progress: { progress: number } | null };
        };
        return {
          seq: payload.seq,
          previousSeq: payload.previousSeq,
          status: payload.data.status,
          progress: payload.data.progress?.progress ?? null,
        };
      })
      .sort((a, b) => a.seq - b.seq);
  };
  const progress = (tx: Queryable, run: string, value: number) =>
    tx.query(`update public.agent_runs set progress = $2 where id = $1`, [run, value]);
  const sleep = (tx: Queryable, ms: number) => tx.query(`select pg_sleep($1)`, [ms / 1000]);

  it('holds progress within the interval; the next write after it, even one that changes nothing, sends the last value', async () => {
    const sent = await paced('200', async (tx, run) => {
      await progress(tx, run, 10); // seq 2, held: the insert was just broadcast
      await progress(tx, run, 20); // seq 3, held
      await sleep(tx, 250);
      await tx.query(`update public.agent_runs set status = status where id = $1`, [run]); // changes nothing
      await progress(tx, run, 30); // seq 4, held again
      await tx.query(`update public.agent_runs set status = 'completed', progress = 100 where id = $1`, [run]);
    });
    expect(sent).toEqual([
      { seq: 1, previousSeq: null, status: 'processing', progress: 0 },
      { seq: 3, previousSeq: 1, status: 'processing', progress: 20 },
      { seq: 5, previousSeq: 3, status: 'completed', progress: 100 },
    ]);
  });

  it('sends progress at once when the last broadcast is older than the interval', async () => {
    const sent = await paced('100', async (tx, run) => {
      await sleep(tx, 150);
      await progress(tx, run, 40);
      await sleep(tx, 150);
      await progress(tx, run, 50);
    });
    expect(sent.map((m) => `${m.seq}<${m.previousSeq ?? '-'}:${m.progress}`)).toEqual(['1<-:0', '2<1:40', '3<2:50']);
  });

  it('never holds a change of state, and the state carries the progress held before it', async () => {
    const sent = await paced('60000', async (tx, run) => {
      await progress(tx, run, 35); // held (a minute's interval)
      await tx.query(`update public.agent_runs set status = 'error', error = 'upstream timed out' where id = $1`, [
        run,
      ]);
    });
    expect(sent).toEqual([
      { seq: 1, previousSeq: null, status: 'processing', progress: 0 },
      { seq: 3, previousSeq: 1, status: 'error', progress: 35 },
    ]);
  });

  it('sends nothing for a write that changes nothing when nothing is held', async () => {
    const sent = await paced('0', async (tx, run) => {
      await progress(tx, run, 10);
      await tx.query(`update public.agent_runs set status = status where id = $1`, [run]);
    });
    expect(sent.map((m) => m.seq)).toEqual([1, 2]);
  });

  it('reads its interval from pubdev.agent_progress_interval_ms: 1 s unless set to 0..60000 ms', async () => {
    const interval = (setting: string | null) =>
      t.db.transaction(
        async (tx) => {
          if (setting !== null)
            await tx.query(`select set_config('pubdev.agent_progress_interval_ms', $1, true)`, [setting]);
          const { rows } = await tx.query<{ ms: number }>(
            `select (extract(epoch from private.agent_progress_interval()) * 1000)::integer as ms`,
          );
          return rows[0]!.ms;
        },
        { rollback: true },
      );
    expect(await interval(null)).toBe(1000);
    expect(await interval('')).toBe(1000);
    expect(await interval('0')).toBe(0);
    expect(await interval(' 250 ')).toBe(250);
    expect(await interval('soon')).toBe(1000);
    expect(await interval('-5')).toBe(1000);
    expect(await interval('999999999')).toBe(60000);
  });
});
