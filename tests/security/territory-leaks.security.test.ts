/**
 * A US_West member never learns anything about a US_East publisher, by any path: what the
 * owner does on Harbor House (looking at it, typing in it, saving it, a US_East update that
 * mentions her, a notification about it) reaches none of her sockets (her page's channels, raw
 * joins of the US_East topics, Postgres changes of publishers) and none of her REST reads, and her
 * page's numbers count only what she may see. Agent runs about a publisher are the agent
 * workstream's suite. Every "nothing arrived" ends with a US_West sentinel that does arrive.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  orgTopic,
  publisherCollabTopic,
  publisherRecordTopic,
  territoryTopic,
  type RealtimeMessage,
} from '../../src/contract/index.ts';
import { PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import type { ReadableStore } from '../../src/realtime/index.ts';
import { ACME, record, startClientStack, until, type ClientStack } from '../integration/_client-stack.ts';

const HARBOR = PUBLISHERS.harborHouse;
const SUNRISE = PUBLISHERS.sunriseBooks;
/** What would give Harbor House away. */
const SECRETS = [HARBOR.id, HARBOR.name, 'Harbor', 'US_East'];

function leaks(what: unknown): string[] {
  const text = JSON.stringify(what) ?? '';
  return SECRETS.filter((secret) => text.includes(secret));
}

describe.each(BACKENDS)('territory confidentiality (%s)', (backend) => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack(backend);
  });
  afterAll(() => rt.stop());

  it('nothing about a US_East publisher reaches a US_West member, by socket, REST or Postgres changes', async () => {
    // ── West's page, every store open, every message recorded ──
    const { core: west, supabase: westClient } = await rt.core('acmeWest');
    const views = [
      west.access,
      west.publishers,
      west.teamUpdates,
      west.notifications,
      west.userSnapshots,
      west.people,
      west.agents,
    ].map((store: ReadableStore<unknown>) => record(store));
    const messages: RealtimeMessage[] = [];
    const stopMessages = west.onMessage((message) => messages.push(message));
    await until(west.publishers, (list) => list.length > 0, 'her publishers');

    // ── West's raw sockets: the org topic, Postgres changes of publishers, and the US_East topics ──
    const raw = await rt.signedIn('acmeWest');
    await raw.realtime.setAuth();
    const heard: unknown[] = [];
    const org = raw
      .channel(orgTopic(ACME), { config: { private: true } })
      .on('broadcast', { event: '*' }, (m) => heard.push(m))
      .on(
        'postgres_changes',
        { event: '*', schema: 'public', table: 'publishers', filter: `organization_id=eq.${ACME}` },
        (c) => heard.push(c),
      );
    await new Promise<void>((resolve) => org.subscribe((status) => status === 'SUBSCRIBED' && resolve()));
    for (const topic of [
      territoryTopic(ACME, 'US_East'),
      publisherRecordTopic(ACME, HARBOR.id, 'US_East'),
      publisherCollabTopic(ACME, HARBOR.id, 'US_East'),
    ]) {
      const status = await new Promise<string>((resolve) =>
        raw
          .channel(topic, { config: { private: true } })
          .subscribe((s, error) => resolve(`${s} ${error?.message ?? ''}`)),
      );
      expect(status).toBe(
        `CHANNEL_ERROR Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`,
      );
    }

    // ── The owner works on Harbor House (and an eye on the US_East topics sees it happen) ──
    const eye = await rt.signedIn('acmeOwner');
    await eye.realtime.setAuth();
    const east: { event: string; payload: unknown }[] = [];
    for (const topic of [territoryTopic(ACME, 'US_East'), publisherRecordTopic(ACME, HARBOR.id, 'US_East')]) {
      const channel = eye
        .channel(topic, { config: { private: true } })
        .on('broadcast', { event: '*' }, (m) => east.push({ event: m.event, payload: m.payload }));
      await new Promise<void>((resolve) => channel.subscribe((status) => status === 'SUBSCRIBED' && resolve()));
    }
    const { core: owner, supabase: ownerClient } = await rt.core('acmeOwner');
    const ownerPage = record(owner.userSnapshots);
    const harbor = owner.publisher(HARBOR.id);
    const ownerRecord = record(harbor);
    await until(harbor, (r) => r.publisher !== null, 'Harbor House open');
    owner.userSnapshots.updateActivity({ action: 'Viewing Harbor House', publisherId: HARBOR.id });
    harbor.setEditing('name');
    harbor.draft('name', 'Harbor House Ltd');
    expect(await harbor.save({ status: 'signed' })).toMatchObject({ ok: true });
    await post(ownerClient, 'Harbor House terms agreed', 'US_East', [USERS.acmeWest.id]);
    const service = rt.service();
    await service.from('notifications').insert({
      organization_id: ACME,
      user_id: USERS.acmeOwner.id,
      message: 'Harbor House wants a call',
    });

    // The US_East topics carried all of it: the activity, the draft, the saved status.
    await expect
      .poll(() => east.map((m) => m.event).sort(), { timeout: 8000 })
      .toEqual(expect.arrayContaining(['draft', 'publisher_update', 'team_update', 'user_snapshot']));
    expect(JSON.stringify(east)).toContain('Viewing Harbor House');

    // ── Sentinels: US_West things the owner does afterwards reach her ──
    owner.userSnapshots.updateActivity({ action: 'Viewing Sunrise Books', publisherId: SUNRISE.id });
    await until(
      west.userSnapshots,
      (list) => list.some((s) => s.userId === USERS.acmeOwner.id && s.action === 'Viewing Sunrise Books'),
      "the owner's US_West activity",
    );
    await post(ownerClient, 'Sunrise Books terms agreed', 'US_West', [USERS.acmeWest.id]);
    await until(
      west.teamUpdates,
      (list) => list.some((u) => u.message === 'Sunrise Books terms agreed'),
      'the US_West update',
    );
    await until(
      west.notifications,
      (n) => n.notifications.some((x) => x.message === 'You were mentioned: Sunrise Books terms agreed'),
      'the US_West mention',
    );

    // ── What her sockets and her page held, ever ──
    expect(leaks(messages)).toEqual([]);
    expect(leaks(heard)).toEqual([]);
    for (const view of views) expect(leaks(view.snapshots)).toEqual([]);
    // Her numbers: publishers by status count only US_West records.
    expect(new Set(west.publishers.getSnapshot().map((p) => p.territory))).toEqual(new Set(['US_West']));

    // ── What REST gives her ──
    const reads = await Promise.all([
      westClient.rpc('organization_activity', { organization_id: ACME }),
      westClient.from('team_updates').select('*'),
      westClient.from('my_notifications').select('*'),
      westClient.from('publishers').select('*'),
      westClient.from('publisher_changes').select('*'),
      westClient.rpc('publisher_owner_candidates', { publisher_id: HARBOR.id }),
      westClient.rpc('may_transfer_publisher', { publisher_id: HARBOR.id }),
    ]);
    for (const { error } of reads) expect(error).toBeNull();
    expect(leaks(reads.map((r) => r.data))).toEqual([]);
    expect(reads[5]!.data).toEqual([]);
    expect(reads[6]!.data).toBe(false);
    // The owner is still shown to her — busy with something she may not see, said as nothing.
    expect(
      (reads[0]!.data as { user_id: string; action: string }[]).find((a) => a.user_id === USERS.acmeOwner.id),
    ).toMatchObject({
      action: 'Viewing Sunrise Books',
    });

    stopMessages();
    for (const view of [...views, ownerPage, ownerRecord]) view.stop();
  });
});

async function post(client: SupabaseClient, message: string, territory: string, mentions: string[]): Promise<void> {
  const { error } = await client.from('team_updates').insert({
    organization_id: ACME,
    update_type: 'assignment',
    message,
    user_id: USERS.acmeOwner.id,
    territory,
    details: { mentions },
  });
  if (error) throw new Error(`team update: ${error.message}`);
}
