/**
 * The core's stores against the local stack: agent progress in order with stale updates dropped,
 * team updates and notifications once each with @mentions flagged, and a territory-restricted
 * member who receives nothing of another territory, by broadcast or by Postgres changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import { orgTopic, type RealtimeMessage } from '../../src/contract/index.ts';
import { ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import type { AgentRun } from '../../src/realtime/index.ts';
import { BACKENDS } from '../_db.ts';
import { ACME, record, startClientStack, until, type ClientStack } from './_client-stack.ts';
import { insertRow, serverBroadcast, teamUpdate, updateRow } from './_writes.ts';

/** No periodic catch-up: what arrives between two (re)joins came as a Postgres change. */
const EVENTS_ONLY = { catchUpIntervalMs: 600_000 };

/**
 * Resolves on the server's "Subscribed to PostgreSQL" for `topic` on this supabase-js client (a
 * system binding added as the core creates the channel, before its join).
 */
function postgresChangesReady(supabase: SupabaseClient, topic: string): Promise<void> {
  return new Promise((resolve) => {
    const channel = supabase.channel.bind(supabase);
    supabase.channel = (name, options) => {
      const created = channel(name, options);
      if (name === topic) {
        created.on('system', {}, (message: { extension?: string; status?: string }) => {
          if (message.extension === 'postgres_changes' && message.status === 'ok') resolve();
        });
      }
      return created;
    };
  });
}

describe.each(BACKENDS)('stores (%s)', (backend) => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack(backend);
  });
  afterAll(() => rt.stop());

  it('agent progress arrives in order, ends on the final state, and a stale seq is dropped', async () => {
    const agent = await rt.core('acmeAgent');
    const owner = await rt.core('acmeOwner');
    const messages: RealtimeMessage[] = [];
    owner.core.onMessage((m) => messages.push(m));
    const runs = record(owner.core.agents);
    await until(owner.core.agents, (list) => list.length >= 2, 'the seeded runs');
    const connection = await until(
      owner.core.connection,
      (c) => c.status === 'connected' && c.latencyMs !== null,
      'a heartbeat round trip',
    );
    expect(connection.latencyMs).toBeGreaterThanOrEqual(0);
    expect(connection.lastError).toBeNull();

    const first = await agent.core.agents.updateAgentStatus('ordering-agent', 'processing', {
      progress: 0,
      task: 'Initializing...',
    });
    expect(first).toEqual({ ok: true });
    const run = await until(
      agent.core.agents,
      (list) => list.some((r) => r.agentId === 'ordering-agent'),
      'the new run',
    );
    const runId = run.find((r) => r.agentId === 'ordering-agent')!.runId;
    for (const progress of [10, 20, 30, 40, 50, 60, 70, 80, 90]) {
      expect(
        await agent.core.agents.updateAgentStatus('ordering-agent', 'processing', {
          progress,
          currentTask: `step ${progress}`,
        }),
      ).toEqual({ ok: true });
    }
    expect(
      await agent.core.agents.updateAgentStatus('ordering-agent', 'completed', { progress: 100, currentTask: 'done' }),
    ).toEqual({ ok: true });
    const done = await until(
      owner.core.agents,
      (list) => list.some((r) => r.runId === runId && r.status === 'completed'),
      'the completed run',
    );
    const final = done.find((r) => r.runId === runId)!;
    expect(final).toMatchObject({
      agentId: 'ordering-agent',
      status: 'completed',
      progress: { progress: 100, currentTask: 'done' },
      seq: 11,
    });

    // A late copy of an old state (seq 3) reaches the client, valid, and changes nothing: a write
    // after it (another run on the same channel, so delivered after it) shows while the run stays at seq 11.
    const stale = {
      id: `${runId}:3`,
      type: 'agent_status',
      seq: 3,
      timestamp: new Date().toISOString(),
      data: {
        agentId: 'ordering-agent',
        status: 'processing',
        runId,
        progress: { progress: 20, currentTask: 'step 20' },
      },
    };
    await serverBroadcast(rt.stack.url, rt.stack.config.serviceRoleKey, orgTopic(ACME), 'agent_status', stale);
    await expect.poll(() => messages.some((m) => m.id === `${runId}:3`), { timeout: 5000 }).toBe(true);
    await agent.core.agents.updateAgentStatus('ordering-marker', 'processing', { progress: 1, currentTask: 'marker' });
    const after = await until(
      owner.core.agents,
      (list) => list.some((r) => r.agentId === 'ordering-marker'),
      'a write after the stale copy',
    );
    expect(after.find((r) => r.runId === runId)).toMatchObject({ seq: 11, status: 'completed' });

    // Every snapshot the owner saw of this run moved forward only; the stale copy never showed.
    const history = runs.snapshots
      .map((list) => list.find((r) => r.runId === runId))
      .filter((r): r is AgentRun => r !== undefined);
    expect(history.length).toBeGreaterThan(1);
    for (let i = 1; i < history.length; i++) {
      expect(history[i]!.seq).toBeGreaterThanOrEqual(history[i - 1]!.seq);
      expect(history[i]!.progress!.progress).toBeGreaterThanOrEqual(history[i - 1]!.progress!.progress);
    }
    runs.stop();
  });

  it('team updates and notifications arrive once each, newest first, with my @mentions flagged and one toast each', async () => {
    const owner = await rt.core('acmeOwner');
    const updates = record(owner.core.teamUpdates);
    const inbox = record(owner.core.notifications);
    const toasts: string[] = [];
    owner.core.notifications.onNotification((n) => toasts.push(n.message));
    await until(owner.core.teamUpdates, (list) => list.length > 0, 'the seeded team updates');
    await until(owner.core.notifications, (s) => s.notifications.length > 0, 'the seeded notifications');

    const service = rt.service();
    const mention = await insertRow(
      service,
      'team_updates',
      teamUpdate('ping @owner', null, { user_id: USERS.acmeWest.id, details: { mentions: [USERS.acmeOwner.id] } }),
    );
    const plain = await insertRow(service, 'team_updates', teamUpdate('West assignment', 'US_West'));
    const list = await until(owner.core.teamUpdates, (l) => l.some((u) => u.id === plain.id), 'both new updates');
    expect(list.slice(0, 2).map((u) => [u.id, u.mentionsMe])).toEqual([
      [plain.id, false],
      [mention.id, true],
    ]);
    expect(new Set(list.map((u) => u.id)).size).toBe(list.length);

    const inboxNow = await until(
      owner.core.notifications,
      (s) => s.notifications.some((n) => n.message === 'You were mentioned: ping @owner'),
      'the mention notification',
    );
    expect(inboxNow.unreadCount).toBeGreaterThan(0);
    expect(toasts.filter((m) => m === 'You were mentioned: ping @owner')).toHaveLength(1);

    // Mark-all resolves with the snapshot already read (no frame later), and only a notification
    // written after it is unread again: read state never goes back, and the database decided.
    expect(await owner.core.notifications.markAllRead()).toEqual({ ok: true });
    expect(owner.core.notifications.getSnapshot().unreadCount).toBe(0);
    expect(inbox.snapshots.at(-1)!.unreadCount).toBe(0);
    await insertRow(
      service,
      'team_updates',
      teamUpdate('ping again @owner', null, {
        user_id: USERS.acmeWest.id,
        details: { mentions: [USERS.acmeOwner.id] },
      }),
    );
    const after = await until(
      owner.core.notifications,
      (s) => s.notifications.some((n) => n.message === 'You were mentioned: ping again @owner'),
      'the mention after mark-all',
    );
    expect(after.notifications.filter((n) => !n.read).map((n) => n.message)).toEqual([
      'You were mentioned: ping again @owner',
    ]);
    expect(after.unreadCount).toBe(1);
    updates.stop();
    inbox.stop();
  });

  it('a member restricted to US_West receives no US_East update, neither by broadcast nor in the live publisher list', async () => {
    const west = await rt.core('acmeWest');
    const messages: RealtimeMessage[] = [];
    west.core.onMessage((m) => messages.push(m));
    const publishers = record(west.core.publishers);
    const updates = record(west.core.teamUpdates);
    await until(west.core.publishers, (list) => list.length > 0, 'the visible publishers');
    expect(west.core.publishers.getSnapshot().map((p) => p.territory)).toEqual(['US_West', 'US_West']);

    const service = rt.service();
    const east = await insertRow(service, 'team_updates', teamUpdate('East only', 'US_East'));
    await updateRow(service, 'publishers', PUBLISHERS.harborHouse.id, { status: 'east_secret' });
    const westUpdate = await insertRow(service, 'team_updates', teamUpdate('West news', 'US_West'));
    await updateRow(service, 'publishers', PUBLISHERS.sunriseBooks.id, { status: 'west_live' });

    await until(west.core.teamUpdates, (l) => l.some((u) => u.id === westUpdate.id), 'the US_West update');
    await until(
      west.core.publishers,
      (l) => l.some((p) => p.id === PUBLISHERS.sunriseBooks.id && p.status === 'west_live'),
      'the US_West publisher change',
    );
    const everything = JSON.stringify([messages, publishers.snapshots, updates.snapshots]);
    expect(everything).not.toContain(east.id as string);
    expect(everything).not.toContain('East only');
    expect(everything).not.toContain('east_secret');
    expect(everything).not.toContain(PUBLISHERS.harborHouse.id);
    publishers.stop();
    updates.stop();
  });

  it('usePublishers is live through Postgres changes: US_West only for the US_West member, nothing of Acme for Globex, inserts included, deletes gone on the next re-read', async () => {
    const west = await rt.core('acmeWest', EVENTS_ONLY);
    const owner = await rt.core('acmeOwner', EVENTS_ONLY);
    const globex = await rt.core('globexMember', { ...EVENTS_ONLY, organizationId: ORGS.globex.id });
    const ready = [
      postgresChangesReady(west.supabase, orgTopic(ACME)),
      postgresChangesReady(owner.supabase, orgTopic(ACME)),
      postgresChangesReady(globex.supabase, orgTopic(ORGS.globex.id)),
    ];
    const westList = record(west.core.publishers);
    let ownerList = record(owner.core.publishers);
    const globexList = record(globex.core.publishers);
    await Promise.all(ready);
    await until(west.core.publishers, (l) => l.length === 2, 'the US_West publishers');
    await until(owner.core.publishers, (l) => l.length >= 4, 'all Acme publishers');
    await until(
      globex.core.publishers,
      (l) => l.some((p) => p.id === PUBLISHERS.globexTomes.id),
      'the Globex publisher',
    );

    // US_East writes first, then a US_West one: one subscription delivers in commit order, so once
    // the US_West change is shown, a US_East event would have arrived before it.
    const service = rt.service();
    await updateRow(service, 'publishers', PUBLISHERS.libertyPrint.id, { status: 'east_pg_secret' });
    const eastNew = await insertRow(service, 'publishers', {
      organization_id: ACME,
      name: 'East Newcomer',
      territory: 'US_East',
    });
    await updateRow(service, 'publishers', PUBLISHERS.pacificPress.id, { status: 'west_pg_live' });
    await until(
      west.core.publishers,
      (l) => l.some((p) => p.id === PUBLISHERS.pacificPress.id && p.status === 'west_pg_live'),
      'the US_West change, live',
    );

    // An owner's insert broadcasts nothing: only a Postgres change can bring it without a re-read.
    const { data: created, error } = await owner.supabase
      .from('publishers')
      .insert({ organization_id: ACME, name: 'Live Newcomer', territory: 'US_West' })
      .select('id')
      .single();
    expect(error).toBeNull();
    await until(
      owner.core.publishers,
      (l) => l.some((p) => p.id === created!.id && p.name === 'Live Newcomer'),
      "the owner's insert, live",
    );
    await until(
      west.core.publishers,
      (l) => l.some((p) => p.id === created!.id),
      'the US_West insert for the US_West member',
    );
    expect(owner.core.publishers.getSnapshot().find((p) => p.id === PUBLISHERS.libertyPrint.id)?.status).toBe(
      'east_pg_secret',
    );

    const westSaw = JSON.stringify(westList.snapshots);
    for (const secret of [
      'east_pg_secret',
      'East Newcomer',
      eastNew.id as string,
      PUBLISHERS.libertyPrint.id,
      PUBLISHERS.harborHouse.id,
    ]) {
      expect(westSaw).not.toContain(secret);
    }
    const globexSaw = JSON.stringify(globexList.snapshots);
    for (const acme of [
      'west_pg_live',
      'Live Newcomer',
      'East Newcomer',
      ACME,
      PUBLISHERS.sunriseBooks.id,
      PUBLISHERS.libertyPrint.id,
    ]) {
      expect(globexSaw).not.toContain(acme);
    }

    // No DELETE event exists: the deleted row stays until the next (re)join re-reads the list.
    const { error: deleteError } = await service.from('publishers').delete().eq('id', created!.id);
    expect(deleteError).toBeNull();
    ownerList.stop();
    await expect.poll(() => owner.core.channelTopics().includes(orgTopic(ACME)), { timeout: 5000 }).toBe(false);
    ownerList = record(owner.core.publishers);
    await until(
      owner.core.publishers,
      (l) => l.length >= 4 && !l.some((p) => p.id === created!.id),
      'the list without the deleted row',
    );
    for (const list of [westList, ownerList, globexList]) list.stop();
  });
});
