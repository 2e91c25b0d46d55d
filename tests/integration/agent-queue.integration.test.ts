/**
 * The work queue through the stack's REST API, as agents use it: 1,000 claims by 4 concurrent
 * workers (supabase-js, signed in as the agent account) never give an item twice and lose none —
 * on PGlite the stack serialises them, on PostgreSQL they race for real. And the dashboard's core:
 * a run whose lease ran out shows as stalled and leaves the "running" count; a retry shows the
 * next attempt; the first load brings active runs before a long history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRunning } from '../../src/realtime/index.ts';
import { BACKENDS } from '../_db.ts';
import { ACME, startClientStack, until, type ClientStack } from './_client-stack.ts';

describe.each(BACKENDS)('agent work queue (%s)', (backend) => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack(backend);
  });
  afterAll(() => rt?.stop());

  it('1,000 claims by 4 concurrent workers: no item twice, none lost', { timeout: 300_000 }, async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      organization_id: ACME,
      agent_id: 'rest-thousand',
      status: 'queued',
      current_task: `item ${i}`,
    }));
    const { error } = await rt.service().from('agent_runs').insert(rows);
    expect(error).toBeNull();
    const worker = async () => {
      const agent = await rt.signedIn('acmeAgent');
      const got: string[] = [];
      for (;;) {
        const { data, error: claimError } = await agent.rpc('claim_next_work', {
          organization_id: ACME,
          agent_id: 'rest-thousand',
        });
        if (claimError) throw new Error(claimError.message);
        const run = (data as { id: string }[])[0];
        if (!run) return got;
        got.push(run.id);
      }
    };
    const results = await Promise.all([worker(), worker(), worker(), worker()]);
    const all = results.flat();
    expect(all).toHaveLength(1000);
    expect(new Set(all).size).toBe(1000);
    const { count } = await rt
      .service()
      .from('agent_runs')
      .select('id', { count: 'exact', head: true })
      .eq('agent_id', 'rest-thousand')
      .eq('status', 'queued');
    expect(count).toBe(0);
  });

  it('an expired lease shows the run stalled and out of the running count; a retry is attempt 2', async () => {
    const { core, supabase: owner } = await rt.core('acmeOwner');
    const agent = await rt.signedIn('acmeAgent');
    const { data: queued } = await owner
      .from('agent_runs')
      .insert({ organization_id: ACME, agent_id: 'lease-test', status: 'queued', current_task: 'Short lease' })
      .select('id')
      .single();
    const runId = (queued as { id: string }).id;
    await agent.rpc('claim_next_work', { organization_id: ACME, agent_id: 'lease-test', lease_seconds: 2 });
    const running = await until(
      core.agents,
      (runs) => runs.some((r) => r.runId === runId && r.status === 'processing'),
      'running',
    );
    const before = countRunning(running);
    expect(running.find((r) => r.runId === runId)!.stalled).toBe(false);
    // Nothing is written: the store's lease clock turns the run stalled on its own.
    const stalled = await until(core.agents, (runs) => runs.some((r) => r.runId === runId && r.stalled), 'stalled');
    expect(countRunning(stalled)).toBe(before - 1);
    expect((await core.agents.retryRun(runId)).ok).toBe(true);
    const retried = await until(
      core.agents,
      (runs) => runs.some((r) => r.runId === runId && r.status === 'queued' && r.attempt === 2),
      'queued as attempt 2',
    );
    expect(retried.find((r) => r.runId === runId)).toMatchObject({ stalled: false, queuePosition: 1 });
  });

  it('the first load reads active runs first, before a long finished history', async () => {
    const history = Array.from({ length: 300 }, (_, i) => ({
      organization_id: ACME,
      agent_id: 'history-agent',
      status: 'completed',
      current_task: `old ${i}`,
    }));
    await rt.service().from('agent_runs').insert(history);
    const { data: active } = await rt
      .service()
      .from('agent_runs')
      .insert({ organization_id: ACME, agent_id: 'history-agent', status: 'queued', current_task: 'current' })
      .select('id')
      .single();
    const { core } = await rt.core('acmeOwner');
    const runs = await until(
      core.agents,
      (r) => r.some((x) => x.runId === (active as { id: string }).id),
      'active run',
    );
    // The finished ones are the newest 200, never the whole history.
    expect(runs.filter((r) => r.agentId === 'history-agent' && r.status === 'completed').length).toBeLessThanOrEqual(
      200,
    );
  });
});
