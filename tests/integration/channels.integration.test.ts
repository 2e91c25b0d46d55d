/**
 * Channels that fail and records that move: a refused channel is re-created with backoff and keeps
 * the server's exact reason, which the connection status shows; a publisher moved to another
 * territory is followed to its new topics by a member who may still read it, and dropped by one
 * who may not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgTopic, territoryTopic } from '../../src/contract/index.ts';
import { ORGS, PUBLISHERS } from '../../supabase/fixture.ts';
import { createChannelRegistry } from '../../src/realtime/channel-registry.ts';
import { defaultEnvironment } from '../../src/realtime/environment.ts';
import type { RealtimeError } from '../../src/realtime/index.ts';
import { BACKENDS } from '../_db.ts';
import { ACME, record, startClientStack, until, type ClientStack } from './_client-stack.ts';
import { updateRow } from './_writes.ts';

describe.each(BACKENDS)('channels (%s)', (backend) => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack(backend);
  });
  afterAll(() => rt.stop());

  it('a refused channel backs off to seconds and minutes, keeping the server’s exact reason, until readmit', async () => {
    const topic = territoryTopic(ACME, 'US_East');
    // Baseline: what supabase-js itself reports for this join by a US_West member.
    const raw = await rt.signedIn('acmeWest');
    await raw.realtime.setAuth();
    const rawReason = await new Promise<string>((resolve) =>
      raw
        .channel(topic, { config: { private: true } })
        .subscribe((status, error) => status === 'CHANNEL_ERROR' && resolve(error!.message)),
    );
    await raw.removeAllChannels();

    const supabase = await rt.signedIn('acmeWest');
    const failures: { error: RealtimeError; at: number }[] = [];
    const registry = createChannelRegistry({
      supabase,
      env: defaultEnvironment(),
      ready: supabase.realtime.setAuth(),
      onError: (error) => failures.push({ error, at: Date.now() }),
      specFor: (t) => ({ topic: t }),
    });
    const handle = registry.acquire(topic, {});
    await expect.poll(() => failures.length, { timeout: 12_000 }).toBeGreaterThanOrEqual(2);
    // Every retry keeps the server's exact words, not a generic status.
    for (const { error } of failures)
      expect(error.context).toEqual({ kind: 'channel', topic, status: 'CHANNEL_ERROR', reason: rawReason });
    // A refusal does not pass by itself: 5 s before the first retry (then 10 s, 20 s … 5 min),
    // never a 5-second loop forever; and never more than one channel for the topic.
    expect(failures[1]!.at - failures[0]!.at).toBeGreaterThanOrEqual(4900);
    expect(registry.states()).toEqual([{ topic, state: 'refused', reason: rawReason }]);
    expect(supabase.getChannels().length).toBeLessThanOrEqual(1);
    // Rights changed (readmit): it is tried again at once, not after the 10 s backoff.
    const readmittedAt = Date.now();
    registry.readmit();
    await expect.poll(() => failures.length, { timeout: 4000 }).toBe(3);
    expect(failures[2]!.at - readmittedAt).toBeLessThan(3000);
    handle.release();
    await registry.dispose();
    expect(supabase.getChannels()).toEqual([]);
  });

  it('a refused channel’s exact reason is the connection’s lastError (what useConnectionStatus shows)', async () => {
    // A US_West member of Acme opening Globex's realtime: Globex's org topic refuses the join.
    const topic = orgTopic(ORGS.globex.id);
    const raw = await rt.signedIn('acmeWest');
    await raw.realtime.setAuth();
    const rawReason = await new Promise<string>((resolve) =>
      raw
        .channel(topic, { config: { private: true } })
        .subscribe((status, error) => status === 'CHANNEL_ERROR' && resolve(error!.message)),
    );
    await raw.removeAllChannels();

    const { core } = await rt.core('acmeWest', { organizationId: ORGS.globex.id });
    const runs = record(core.agents);
    const connection = await until(core.connection, (c) => c.lastError !== null, 'the refusal');
    expect(connection.lastError?.context).toEqual({
      kind: 'channel',
      topic,
      status: 'CHANNEL_ERROR',
      reason: rawReason,
    });
    runs.stop();
  });

  it('a publisher moved to US_East: the owner follows it to its new topics, the US_West member loses it', async () => {
    const owner = (await rt.core('acmeOwner')).core.publisher(PUBLISHERS.pacificPress.id);
    const west = (await rt.core('acmeWest')).core.publisher(PUBLISHERS.pacificPress.id);
    const ownerView = record(owner);
    const westView = record(west);
    // Both on the record's topics (each sees the other on the collab topic).
    await until(owner, (s) => s.publisher?.territory === 'US_West' && s.viewers.length === 2, 'the owner’s record');
    await until(west, (s) => s.publisher?.territory === 'US_West' && s.viewers.length === 2, 'west’s record');

    await updateRow(rt.service(), 'publishers', PUBLISHERS.pacificPress.id, { territory: 'US_East' });
    await until(west, (s) => s.publisher === null, 'west to lose the record');
    await until(owner, (s) => s.publisher?.territory === 'US_East', 'the owner to follow the record');

    // Live on the new record topic: a later change reaches the owner without a re-read.
    await updateRow(rt.service(), 'publishers', PUBLISHERS.pacificPress.id, { status: 'moved_east' });
    await until(owner, (s) => s.publisher?.status === 'moved_east', 'the change on the new topic');
    expect(westView.snapshots.some((s) => s.publisher?.status === 'moved_east')).toBe(false);
    ownerView.stop();
    westView.stop();
  });
});
