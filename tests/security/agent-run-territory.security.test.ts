/**
 * Agent runs leaked across territories: every run was org-wide, so a US_West member's dashboard
 * showed "Enriching Harbor House", a run about a US_East publisher. A run now names its publisher
 * and goes wherever the publisher may be seen. The attacker is the US_West member, with every path
 * a client has: the realtime core (the dashboard's stores), raw channels on the org and US_West
 * topics, a join of the US_East topic, Postgres changes of agent_runs, REST reads of the runs, their
 * states and attempts, the control functions, notifications and the running count.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeChannel } from '@supabase/supabase-js';
import { orgTopic, territoryTopic } from '../../src/contract/index.ts';
import { countRunning } from '../../src/realtime/index.ts';
import { PUBLISHERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { firstStatus, joined } from '../_support/realtime.ts';
import { ACME, startClientStack, until, type ClientStack } from '../integration/_client-stack.ts';

const SECRET = `Harbor House ${randomUUID()}`;

describe.each(BACKENDS)('a US_West member and agent runs about US_East (%s)', (backend) => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack(backend);
  });
  afterAll(() => rt?.stop());

  it('never receives the run by any path, while a US_West run reaches them', { timeout: 60_000 }, async () => {
    const { core } = await rt.core('acmeWest');
    // A second client of the same member for the raw paths (the core owns its client's channels).
    const west = await rt.signedIn('acmeWest');
    const owner = await rt.signedIn('acmeOwner');
    const agent = await rt.signedIn('acmeAgent');
    const seen: string[] = [];
    const record = (what: string) => (payload: unknown) => seen.push(`${what} ${JSON.stringify(payload)}`);

    // Raw channels as a hand-written client would open them, with Postgres changes of agent_runs.
    const onOrg: RealtimeChannel = west
      .channel(orgTopic(ACME), { config: { private: true } })
      .on('broadcast', { event: '*' }, record('org'))
      .on('postgres_changes', { event: '*', schema: 'public', table: 'agent_runs' }, record('postgres_changes'));
    await joined(onOrg);
    await joined(
      west
        .channel(territoryTopic(ACME, 'US_West'), { config: { private: true } })
        .on('broadcast', { event: '*' }, record('US_West')),
    );
    expect(
      await firstStatus(west.channel(territoryTopic(ACME, 'US_East'), { config: { private: true } })),
    ).toMatchObject({
      status: 'CHANNEL_ERROR',
    });
    const unsubscribeStore = core.agents.subscribe(() =>
      seen.push(`store ${JSON.stringify(core.agents.getSnapshot())}`),
    );
    const unsubscribeNotifications = core.notifications.subscribe(() =>
      seen.push(`notifications ${JSON.stringify(core.notifications.getSnapshot())}`),
    );

    const queue = async (agentId: string, task: string, publisherId: string) => {
      const { data, error } = await owner
        .from('agent_runs')
        .insert({
          organization_id: ACME,
          agent_id: agentId,
          status: 'queued',
          current_task: task,
          publisher_id: publisherId,
        })
        .select('id')
        .single();
      expect(error).toBeNull();
      return (data as { id: string }).id;
    };
    const east = await queue('east-agent', `Enriching ${SECRET}`, PUBLISHERS.harborHouse.id);
    const westRun = await queue('west-agent', 'Enriching Sunrise Books', PUBLISHERS.sunriseBooks.id);
    await agent.rpc('claim_next_work', { organization_id: ACME, agent_id: 'east-agent' });
    await agent.rpc('claim_next_work', { organization_id: ACME, agent_id: 'west-agent' });
    await agent
      .from('agent_runs')
      .update({ progress: 50, current_task: `Scoring ${SECRET}` })
      .eq('id', east);
    const both = await until(
      core.agents,
      (runs) => runs.some((r) => r.runId === westRun && r.status === 'processing'),
      'west running',
    );
    // Two agents run; the US_West member's count knows of one.
    expect(countRunning(both.filter((r) => r.agentId === 'east-agent' || r.agentId === 'west-agent'))).toBe(1);
    await agent
      .from('agent_runs')
      .update({ status: 'completed', result: { note: SECRET } })
      .eq('id', east);
    await agent
      .from('agent_runs')
      .update({ status: 'completed', result: { ok: true } })
      .eq('id', westRun);
    // The positive control, last: once the US_West run's completion is here, the US_East one's would be.
    await until(
      core.agents,
      (runs) => runs.some((r) => r.runId === westRun && r.status === 'completed'),
      'west completed',
    );

    // REST: the run, its state and its history do not exist for this member; nor can they control it.
    expect((await west.from('agent_runs').select('id').eq('id', east)).data).toEqual([]);
    expect((await west.from('agent_run_states').select('id').eq('id', east)).data).toEqual([]);
    expect((await west.from('agent_run_attempts').select('run_id').eq('run_id', east)).data).toEqual([]);
    expect((await west.rpc('retry_agent_run', { id: east })).error).toMatchObject({
      code: 'PT404',
      message: `agent run ${east} not found`,
    });

    unsubscribeStore();
    unsubscribeNotifications();
    const everything = seen.join('\n');
    expect(everything).toContain(westRun);
    // Each raw path carried the US_West run, so each could have carried the other.
    for (const path of ['postgres_changes', 'US_West', 'store'])
      expect(
        seen.some((line) => line.startsWith(`${path} `) && line.includes(westRun)),
        path,
      ).toBe(true);
    expect(everything).not.toContain(east);
    expect(everything).not.toContain(SECRET);
    expect(core.agents.getSnapshot().some((r) => r.runId === east)).toBe(false);
  });
});
