/**
 * Realtime drops database broadcasts silently while the tenant's events/s counter is tripped
 * (§8.3). Another member floods the activity topic until it trips; an agent-run change and a
 * notification written meanwhile still reach the stores within a few seconds, through the
 * catch-up reads, with no reconnect and no channel re-created; and the connection says that
 * updates are delayed (the quota probe: Realtime's ping answers 429), instead of nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityTopic } from '../../src/contract/index.ts';
import { AGENT_RUNS, USERS } from '../../supabase/fixture.ts';
import type { RealtimeError } from '../../src/realtime/index.ts';
import { BACKENDS } from '../_db.ts';
import { ACME, record, startClientStack, until, type ClientStack } from './_client-stack.ts';
import { insertRow, updateRow } from './_writes.ts';

const DROPPED = 'realtime: dropped database broadcast';

describe.each(BACKENDS)('events counter tripped by a flood (%s)', (backend) => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack(backend, {
      realtime: { maxEventsPerSecond: 5, joinErrorDelayMs: 0, connectErrorDelayMs: 0 },
    });
  });
  afterAll(() => rt.stop());

  it('an agent-run change and a notification reach the stores within a few seconds, with no reconnect', async () => {
    // The quota probe every second instead of every 15 s, so that the test need not wait for it.
    const { core, supabase } = await rt.core('acmeOwner', { quotaProbeIntervalMs: 1000 });
    const errors: RealtimeError[] = [];
    core.onError((e) => errors.push(e));
    const runs = record(core.agents);
    const notes = record(core.notifications);
    await until(core.agents, (list) => list.length > 0, 'the seeded runs');
    await until(core.notifications, (s) => s.notifications.length > 0, 'the seeded notifications');
    // The org topic, the user's own, and the territory topics (runs about a publisher come on its territory's).
    const joinedTopics = () =>
      supabase
        .getChannels()
        .map((c) => `${c.topic} ${c.state}`)
        .sort();
    const expectedChannels = [
      `realtime:org:${ACME} joined`,
      `realtime:org:${ACME}:territory:US_East joined`,
      `realtime:org:${ACME}:territory:US_West joined`,
      `realtime:user:${USERS.acmeOwner.id} joined`,
    ];
    await expect.poll(joinedTopics, { timeout: 5000 }).toEqual(expectedChannels);
    const channelsBefore = supabase.getChannels();
    expect(core.connection.getSnapshot().delivery).toBe('live');

    // Another member floods the activity topic (which this client does not listen to).
    const flooder = await rt.signedIn('acmeWest');
    await flooder.realtime.setAuth();
    const flood = flooder.channel(activityTopic(ACME), { config: { private: true } });
    await new Promise<void>((resolve, reject) =>
      flood.subscribe((status, error) => (status === 'SUBSCRIBED' ? resolve() : reject(error ?? new Error(status)))),
    );
    for (let i = 0; i < 400; i++) void flood.send({ type: 'broadcast', event: 'user_snapshot', payload: { i } });

    // Probe until the database's broadcasts are being dropped: the counter has tripped.
    const service = rt.service();
    await expect
      .poll(
        async () => {
          await insertRow(service, 'team_updates', {
            organization_id: ACME,
            update_type: 'assignment',
            message: 'probe',
          });
          return rt.logs.some((line) => line.startsWith(DROPPED));
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(true);

    const droppedBefore = rt.logs.filter((line) => line.startsWith(DROPPED)).length;
    const writtenAt = Date.now();
    // A change of state (priority) with the progress: progress alone, written within a second of
    // the run's last broadcast (the seed's, when the counter trips fast), is held back by pacing
    // and reaches the store by catch-up without ever being broadcast, so it could not be dropped.
    await updateRow(service, 'agent_runs', AGENT_RUNS.acmeEnrichment.id, {
      priority: 5,
      progress: 88,
      current_task: 'written while tripped',
    });
    const notice = await insertRow(service, 'notifications', {
      organization_id: ACME,
      level: 'warning',
      message: 'written while tripped',
    });

    await until(
      core.agents,
      (list) => list.some((r) => r.progress?.currentTask === 'written while tripped'),
      'the run change',
      6000,
    );
    await until(core.notifications, (s) => s.notifications.some((n) => n.id === notice.id), 'the notification', 6000);
    expect(Date.now() - writtenAt).toBeLessThan(6000);

    // Both were dropped by Realtime (not delivered live), yet nothing reconnected.
    await expect
      .poll(() => rt.logs.filter((line) => line.startsWith(DROPPED)).length)
      .toBeGreaterThanOrEqual(droppedBefore + 2);
    expect(supabase.getChannels()).toEqual(channelsBefore);
    expect(joinedTopics()).toEqual(expectedChannels);
    expect(errors.filter((e) => e.context.kind === 'channel')).toEqual([]);
    expect(core.connection.getSnapshot().status).toBe('connected');
    // What a person sees: connected, and told that updates are delayed, with the reason.
    await expect.poll(() => core.connection.getSnapshot().delivery, { timeout: 5000 }).toBe('delayed');
    expect(core.connection.getSnapshot().lastError?.context).toEqual({ kind: 'rate_limit', source: 'probe' });
    expect(core.connection.getSnapshot().lastError?.message).toBe(
      'Realtime is over its messages-per-second quota: updates arrive late',
    );
    runs.stop();
    notes.stop();
    await flooder.removeAllChannels();
  });
});
