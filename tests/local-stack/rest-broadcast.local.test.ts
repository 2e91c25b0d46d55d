import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS, orgTopic } from '../../src/contract/index.ts';
import { randomUUID } from 'node:crypto';
import { ORGS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { createOrgWideRun } from '../_support/org-wide-run.ts';
import { broadcasts, joined, startRealtimeStack, type RealtimeStack } from '../_support/realtime.ts';

/**
 * The cross-cutting path: an agent writes its run through /rest/v1 as its own account, the
 * database trigger broadcasts `agent_status` on the private `org:<org>` topic, and the dashboard
 * (the org owner, subscribed through supabase-js Realtime) receives it.
 */
describe.each(BACKENDS)('agent run upsert via /rest/v1 reaches the dashboard over Realtime (%s)', (backend) => {
  let rt: RealtimeStack;
  beforeAll(async () => {
    rt = await startRealtimeStack(backend);
  });
  afterAll(async () => {
    await rt?.stop();
  });

  it('delivers agent_status with the new progress and seq to a subscribed owner', async () => {
    const dashboard = await rt.userClient('acmeOwner');
    const channel = dashboard.channel(orgTopic(ORGS.acme.id), { config: { private: true } });
    const statuses = broadcasts(channel, EVENTS.agentStatus);
    await joined(channel);

    const agent = await rt.userClient('acmeAgent');
    // A new organisation-wide run (about no publisher), so org:<acme> carries it.
    const run = { id: randomUUID(), orgId: ORGS.acme.id, agentId: 'enrichment-agent' };
    const { data, error } = await agent
      .from('agent_runs')
      .upsert(
        {
          id: run.id,
          organization_id: run.orgId,
          agent_id: run.agentId,
          status: 'processing',
          progress: 85,
          current_task: 'Enriching Harbor House',
          estimated_time: 12,
        },
        { onConflict: 'id' },
      )
      .select('seq')
      .single();
    expect(error).toBeNull();
    const seq = (data as { seq: number }).seq;

    const message = await statuses.next((m) => (m.payload as { seq?: number }).seq === seq, `agent_status seq ${seq}`);
    expect(message.payload).toMatchObject({
      id: `${run.id}:${seq}`,
      type: EVENTS.agentStatus,
      seq,
      data: {
        agentId: run.agentId,
        runId: run.id,
        status: 'processing',
        progress: { progress: 85, currentTask: 'Enriching Harbor House', estimatedTime: 12 },
      },
    });
  });

  it("refuses another organisation's member the topic, so its agent runs never reach them", async () => {
    const globex = await rt.userClient('globexMember');
    const refused = globex.channel(orgTopic(ORGS.acme.id), { config: { private: true } });
    const leaked = broadcasts(refused, EVENTS.agentStatus);
    const first = await new Promise<string>((resolve) => refused.subscribe((status) => resolve(status)));
    expect(first).toBe('CHANNEL_ERROR');

    // The owner's subscription on the same topic is the sentinel: once the run's update reaches
    // it, it would have reached the refused member too, had the refusal let anything through.
    const owner = (await rt.userClient('acmeOwner')).channel(orgTopic(ORGS.acme.id), { config: { private: true } });
    const delivered = broadcasts(owner, EVENTS.agentStatus);
    await joined(owner);
    const runId = await createOrgWideRun(rt.database.db, ORGS.acme.id);
    const agent = await rt.userClient('acmeAgent');
    const { data, error } = await agent
      .from('agent_runs')
      // A change of state goes out at once (progress alone may be held back by the database's pacing).
      .update({ status: 'completed', progress: 100, current_task: 'After the refusal' })
      .eq('id', runId)
      .select('seq')
      .single();
    expect(error).toBeNull();
    const seq = (data as { seq: number }).seq;
    await delivered.next(
      (m) => (m.payload as { seq?: number }).seq === seq,
      `agent_status seq ${seq} on the owner's channel`,
    );
    expect(leaked.items).toEqual([]);
  });
});
