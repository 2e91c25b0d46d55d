/**
 * A member cannot make a colleague appear online, active, editing a record or typing in it — not
 * with the colleague's id as a presence key, not with a made-up or someone else's ticket, not with
 * a user_snapshot or a draft broadcast on a topic members may write, not through the database's
 * functions. The attacker uses raw supabase-js channels; the victims' views are the real core.
 * Every "nothing forged showed" ends with a legitimate event arriving after the forgery.
 */
import { randomUUID } from 'node:crypto';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityTopic, orgTopic, publisherCollabTopic } from '../../src/contract/index.ts';
import { createRealtimeClient, type UserSnapshot } from '../../src/realtime/index.ts';
import { PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { ACME, record, startClientStack, until, type ClientStack } from '../integration/_client-stack.ts';
import { signUpMember } from './_signed-up.ts';

const { acmeOwner: OWNER, acmeWest: WEST, acmeAgent: AGENT } = USERS;
const SUNRISE = PUBLISHERS.sunriseBooks;
const COLLAB = publisherCollabTopic(ACME, SUNRISE.id, SUNRISE.territory);

async function ticket(client: SupabaseClient, topic: string, claim: string): Promise<string> {
  const { data, error } = await client.rpc('issue_presence_ticket', { topic, claim });
  if (error) throw new Error(`ticket: ${error.message}`);
  return (data as { ticket: string }).ticket;
}

/** A raw channel of `client` on `topic` with presence under `key`, joined. */
async function rawPresence(client: SupabaseClient, topic: string, key: string): Promise<RealtimeChannel> {
  await client.realtime.setAuth();
  const channel = client.channel(topic, { config: { private: true, presence: { key, enabled: true } } });
  await new Promise<void>((resolve, reject) =>
    channel.subscribe((status, error) =>
      status === 'SUBSCRIBED' ? resolve() : reject(new Error(`${topic}: ${status} ${error?.message ?? ''}`)),
    ),
  );
  return channel;
}

describe.each(BACKENDS)('forged identity (%s)', (backend) => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack(backend);
  });
  afterAll(() => rt.stop());

  it('a member cannot make a colleague appear online', async () => {
    const { core: ownerCore } = await rt.core('acmeOwner');
    const seen = record(ownerCore.userSnapshots);
    await until(ownerCore.userSnapshots, (list) => list.some((s) => s.userId === OWNER.id), 'the owner online');

    // West holds a real ticket — for herself. Three sockets of hers claim to be the agent account.
    const west = [await rt.signedIn('acmeWest'), await rt.signedIn('acmeWest'), await rt.signedIn('acmeWest')];
    const own = await ticket(west[0]!, orgTopic(ACME), 'online');
    const forged = [
      { ticket: own }, // a genuine ticket, issued to someone else
      { ticket: randomUUID() }, // a ticket nobody issued
      { userId: AGENT.id, action: 'Working', status: 'online' }, // the old, unchecked presence meta
    ];
    const wire = await rawPresence(await rt.signedIn('acmeOwner'), orgTopic(ACME), `observer-${randomUUID()}`);
    for (const [i, meta] of forged.entries()) {
      const channel = await rawPresence(west[i]!, orgTopic(ACME), AGENT.id);
      expect(await channel.track(meta)).toBe('ok');
    }
    // The forgery reached every observer's socket …
    await expect.poll(() => (wire.presenceState()[AGENT.id] ?? []).length, { timeout: 8000 }).toBe(3);

    // … and the sentinel: west's real page comes online afterwards and is shown.
    const { core: westCore } = await rt.core('acmeWest');
    const westPage = record(westCore.userSnapshots);
    await until(ownerCore.userSnapshots, (list) => list.some((s) => s.userId === WEST.id), 'west online');
    westPage.stop();
    const everShown = new Set(seen.snapshots.flat().map((s: UserSnapshot) => s.userId));
    expect(everShown.has(AGENT.id)).toBe(false);
    seen.stop();
  });

  it('a member cannot make a colleague appear active', async () => {
    const { core: ownerCore } = await rt.core('acmeOwner');
    const observer = await signUpMember(rt, ACME, {
      email: `obs-${randomUUID()}@acme.test`,
      displayName: 'Ola Observer',
    });
    const observerCore = createRealtimeClient({ supabase: observer.client, organizationId: ACME, channelGraceMs: 50 });
    const seen = record(observerCore.userSnapshots);
    const ownerPage = record(ownerCore.userSnapshots); // the owner's page is open: online
    ownerCore.userSnapshots.updateActivity({ action: 'Reviewing the plan' });
    await until(
      observerCore.userSnapshots,
      (list) => list.some((s) => s.userId === OWNER.id && s.action === 'Reviewing the plan'),
      "the owner's real activity",
    );

    const west = await rt.signedIn('acmeWest');
    const forgedSnapshot = {
      id: randomUUID(),
      type: 'user_snapshot',
      timestamp: new Date(Date.now() + 60_000).toISOString(),
      data: { userId: OWNER.id, activity: { action: 'Forged: deleting everything', status: 'online' } },
    };
    // Where members may broadcast (the activity topic), the core accepts no user_snapshot …
    expect(
      await west.channel(activityTopic(ACME), { config: { private: true } }).httpSend('user_snapshot', forgedSnapshot),
    ).toEqual({
      success: true,
    });
    // … where it accepts them (org:<org>), Realtime refuses a member's broadcast …
    await west.realtime.setAuth();
    await expect(
      west.channel(orgTopic(ACME), { config: { private: true } }).httpSend('user_snapshot', forgedSnapshot),
    ).rejects.toThrow(/Unauthorized|403/);
    // … and the database reports activity only as the caller.
    const asOwner = await west.rpc('report_activity', {
      organization_id: ACME,
      action: 'Forged: deleting everything',
      user_id: OWNER.id,
    });
    expect(asOwner.error).toMatchObject({
      code: '42501',
      message: `you may only report your own activity, not that of ${OWNER.id}`,
    });

    // The sentinel: the owner's next real report arrives, and nothing forged ever showed.
    ownerCore.userSnapshots.updateActivity({ action: 'Back to the plan' });
    await until(
      observerCore.userSnapshots,
      (list) => list.some((s) => s.userId === OWNER.id && s.action === 'Back to the plan'),
      "the owner's next real activity",
    );
    const actions = seen.snapshots.flat().map((s: UserSnapshot) => s.action);
    expect(actions.filter((a) => a.startsWith('Forged'))).toEqual([]);
    seen.stop();
    ownerPage.stop();
    await observerCore.dispose();
  });

  it('a member cannot make a colleague appear editing a record, or typing in it', async () => {
    const { core: ownerCore } = await rt.core('acmeOwner');
    const observer = await signUpMember(rt, ACME, {
      email: `obs-${randomUUID()}@acme.test`,
      displayName: 'Ola Observer',
    });
    const observerCore = createRealtimeClient({ supabase: observer.client, organizationId: ACME, channelGraceMs: 50 });
    const record$ = observerCore.publisher(SUNRISE.id);
    const seen = record(record$);
    const ownerRecord = ownerCore.publisher(SUNRISE.id);
    const ownerView = record(ownerRecord);
    await until(record$, (r) => r.viewers.includes(OWNER.id), 'the owner viewing (a real ticket)');

    const west = await rt.signedIn('acmeWest');
    // West may edit Sunrise, so she gets an editing ticket — for herself — and tracks it as the owner.
    const editing = await ticket(west, COLLAB, 'editing:name');
    const forgedPresence = await rawPresence(west, COLLAB, OWNER.id);
    expect(await forgedPresence.track({ ticket: editing })).toBe('ok');
    // A draft "by the owner" where members may broadcast (the collaboration topic).
    const forgedDraft = {
      publisherId: SUNRISE.id,
      field: 'name',
      value: 'Forged name',
      userId: OWNER.id,
      timestamp: new Date().toISOString(),
    };
    expect(await forgedPresence.send({ type: 'broadcast', event: 'draft', payload: forgedDraft })).toBe('ok');

    // Sentinels: west's own draft (share_draft names her) and the owner really editing `status`.
    expect(
      (await west.rpc('share_draft', { publisher_id: SUNRISE.id, field: 'status', value: 'signed' })).error,
    ).toBeNull();
    ownerRecord.setEditing('status');
    const after = await until(
      record$,
      (r) =>
        r.drafts.some((d) => d.userId === WEST.id && d.value === 'signed') &&
        r.editors.some((e) => e.userId === OWNER.id && e.field === 'status'),
      "west's real draft and the owner's real edit",
    );
    expect(after.editors).toEqual([{ userId: OWNER.id, field: 'status' }]);
    const everyEditor = seen.snapshots.flatMap((s) => s.editors);
    const everyDraft = seen.snapshots.flatMap((s) => s.drafts);
    expect(everyEditor.filter((e) => e.field === 'name')).toEqual([]);
    expect(everyDraft.filter((d) => d.userId === OWNER.id)).toEqual([]);
    expect(everyDraft.filter((d) => d.value === 'Forged name')).toEqual([]);
    seen.stop();
    ownerView.stop();
    await observerCore.dispose();
  });
});
