/**
 * A record moved out of a member's territory kept streaming to that member,
 * because Realtime authorises a channel at join only. The record and territory topics now name
 * the record's current territory: after the owner moves a US_West record to US_East, the US_West
 * member's open channels hear one minimal "moved" notice (no new territory, no values, no editor)
 * and nothing more about it, can join none of its new topics, nor rejoin the old ones.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publisherCollabTopic, publisherRecordTopic, territoryTopic } from '../../src/contract/index.ts';
import { ORGS, PUBLISHERS, TERRITORIES } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { broadcasts, firstStatus, joined, startRealtimeStack, type RealtimeStack } from '../_support/realtime.ts';

const ACME = ORGS.acme.id;
const SUNRISE = PUBLISHERS.sunriseBooks;
const { usWest: WEST, usEast: EAST } = TERRITORIES;
const SECRET = `east-only-${randomUUID()}`;
const unauthorized = (topic: string) =>
  `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`;

describe.each(BACKENDS)('a record moved out of a member’s territory (%s)', (backend) => {
  let rt: RealtimeStack;
  beforeAll(async () => {
    rt = await startRealtimeStack(backend);
  });
  afterAll(() => rt?.stop());

  it('the US_West member hears only "moved", then nothing more about it; the owner follows it to US_East', async () => {
    // One client, one socket: its channels receive in the order the database sent.
    const west = await rt.userClient('acmeWest');
    const westRecord = west.channel(publisherRecordTopic(ACME, SUNRISE.id, WEST), { config: { private: true } });
    const westTerritory = west.channel(territoryTopic(ACME, WEST), { config: { private: true } });
    const onRecord = broadcasts(westRecord);
    const onTerritory = broadcasts(westTerritory);
    await joined(westRecord);
    await joined(westTerritory);
    const owner = await rt.userClient('acmeOwner');
    // The record's US_East topic cannot be joined before the record is there: the owner listens on the territory.
    const ownerEast = owner.channel(territoryTopic(ACME, EAST), { config: { private: true } });
    const onOwnerEast = broadcasts(ownerEast);
    await joined(ownerEast);

    const db = rt.database.db;
    const moved = await db.query<{ version: number }>(
      `update public.publishers set territory = $2, status = 'negotiating', custom_fields = jsonb_build_object('note', $3::text) where id = $1 returning version`,
      [SUNRISE.id, EAST, SECRET],
    );
    const version = moved.rows[0]!.version;
    await db.query(
      `update public.publishers set status = 'signed', custom_fields = jsonb_build_object('note', $2::text, 'more', 1) where id = $1`,
      [SUNRISE.id, SECRET],
    );
    // A later US_West change: once it is here, anything sent before it on this socket is too.
    const pacific = await db.query<{ version: number }>(
      `update public.publishers set name = $2 where id = $1 returning version`,
      [PUBLISHERS.pacificPress.id, `Pacific Press ${randomUUID()}`],
    );
    await onTerritory.next(
      (m) => (m.payload as { id: string }).id === `${PUBLISHERS.pacificPress.id}:${pacific.rows[0]!.version}:name`,
      'the US_West sentinel',
    );

    const notice = {
      id: `${SUNRISE.id}:${version}:territory`,
      type: 'publisher_update',
      version,
      timestamp: expect.any(String),
      data: { publisherId: SUNRISE.id, update: { field: 'territory', oldValue: WEST, updatedBy: null } },
    };
    expect(onRecord.items.map((m) => m.payload)).toEqual([notice]);
    expect(
      onTerritory.items
        .map((m) => m.payload)
        .filter((p) => (p as { data: { publisherId: string } }).data.publisherId === SUNRISE.id),
    ).toEqual([notice]);
    const everything = JSON.stringify([...onRecord.items, ...onTerritory.items]);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(EAST);

    // The owner, who may read it anywhere, gets every field, values included, on its new territory.
    await onOwnerEast.next(
      (m) => (m.payload as { id: string }).id === `${SUNRISE.id}:${version + 1}:custom_fields`,
      'the second change on US_East',
    );
    expect(
      onOwnerEast.items.find((m) => (m.payload as { id: string }).id === `${SUNRISE.id}:${version}:territory`)?.payload,
    ).toMatchObject({
      data: { update: { field: 'territory', oldValue: WEST, newValue: EAST } },
    });
    // Its owner was west, who may not see US_East: the move ended her ownership (owner_id → null).
    // (The territory topic also carries the change's activity items, team_updates scoped to US_East.)
    const ownerUpdates = onOwnerEast.items.filter((m) => m.event === 'publisher_update');
    expect(ownerUpdates.map((m) => (m.payload as { id: string }).id).toSorted()).toEqual(
      [
        `${version}:custom_fields`,
        `${version}:owner_id`,
        `${version}:status`,
        `${version}:territory`,
        `${version + 1}:custom_fields`,
        `${version + 1}:status`,
      ]
        .map((suffix) => `${SUNRISE.id}:${suffix}`)
        .toSorted(),
    );
  });

  it('the member can join none of its topics, old or new, and cannot read it over REST', async () => {
    const west = await rt.userClient('acmeWest');
    for (const territory of [WEST, EAST, null]) {
      for (const topic of [
        publisherRecordTopic(ACME, SUNRISE.id, territory),
        publisherCollabTopic(ACME, SUNRISE.id, territory),
      ]) {
        expect(await firstStatus(west.channel(topic, { config: { private: true } }))).toEqual({
          status: 'CHANNEL_ERROR',
          error: unauthorized(topic),
        });
      }
    }
    const read = await west.from('publishers').select('id, status').eq('id', SUNRISE.id);
    expect(read).toMatchObject({ status: 200, error: null, data: [] });
    // The owner joins the record's current topics, and only those.
    const owner = await rt.userClient('acmeOwner');
    await joined(owner.channel(publisherRecordTopic(ACME, SUNRISE.id, EAST), { config: { private: true } }));
    await joined(owner.channel(publisherCollabTopic(ACME, SUNRISE.id, EAST), { config: { private: true } }));
    const stale = publisherRecordTopic(ACME, SUNRISE.id, WEST);
    expect(await firstStatus(owner.channel(stale, { config: { private: true } }))).toEqual({
      status: 'CHANNEL_ERROR',
      error: unauthorized(stale),
    });
  });
});
