/**
 * One publisher record through the core: live field updates from the record topic, who views and
 * edits which field, live drafts, and saves that both land on different fields while a stale save
 * of the same field comes back as a conflict naming both values; a record's store lives while it
 * is held and is forgotten after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import type { SaveResult } from '../../src/realtime/index.ts';
import { BACKENDS } from '../_db.ts';
import { record, startClientStack, until, type ClientStack } from './_client-stack.ts';

const SUNRISE = PUBLISHERS.sunriseBooks.id;

describe.each(BACKENDS)('usePublisher core (%s)', (backend) => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack(backend);
  });
  afterAll(() => rt.stop());

  it('shows viewers, the field being edited and its live draft to the other editor', async () => {
    const owner = (await rt.core('acmeOwner')).core.publisher(SUNRISE);
    const west = (await rt.core('acmeWest')).core.publisher(SUNRISE);
    const ownerView = record(owner);
    const westView = record(west);
    await until(
      west,
      (s) => s.viewers.includes(USERS.acmeOwner.id) && s.viewers.includes(USERS.acmeWest.id),
      'both viewers',
    );
    await until(owner, (s) => s.viewers.includes(USERS.acmeWest.id), 'the owner to see west viewing');

    owner.setEditing('name');
    await until(
      west,
      (s) => s.editors.some((e) => e.userId === USERS.acmeOwner.id && e.field === 'name'),
      'the owner editing name',
    );
    for (const value of ['S', 'Su', 'Sun', 'Sunr', 'Sunrise Boo']) owner.draft('name', value);
    await until(
      west,
      (s) => s.drafts.some((d) => d.userId === USERS.acmeOwner.id && d.field === 'name' && d.value === 'Sunrise Boo'),
      'the latest draft',
    );
    owner.setEditing(null);
    await until(west, (s) => !s.editors.some((e) => e.userId === USERS.acmeOwner.id), 'the owner to stop editing');
    ownerView.stop();
    westView.stop();
  });

  it('two concurrent saves of different fields both land and both editors see both; a stale save of the same field gets the conflict', async () => {
    const owner = (await rt.core('acmeOwner')).core.publisher(SUNRISE);
    const west = (await rt.core('acmeWest')).core.publisher(SUNRISE);
    const ownerView = record(owner);
    const westView = record(west);
    const start = await until(owner, (s) => s.publisher !== null, 'the record');
    await until(west, (s) => s.publisher?.version === start.publisher!.version, 'the same version for west');

    const [a, b] = await Promise.all([owner.save({ name: 'Sunrise Books & Co' }), west.save({ status: 'active' })]);
    expect(a.ok).toBe(true);
    expect(b.ok).toBe(true);
    const both = (s: { publisher: { name: string; status: string } | null }) =>
      s.publisher?.name === 'Sunrise Books & Co' && s.publisher.status === 'active';
    await until(owner, both, 'the owner to see both fields');
    await until(west, both, 'west to see both fields');

    // Same field, same base version, at once: one wins, the other is refused with both values.
    const version = owner.getSnapshot().publisher!.version;
    await until(west, (s) => s.publisher?.version === version, 'west at the same version');
    const results: SaveResult[] = await Promise.all([
      owner.save({ name: 'Owner’s name' }),
      west.save({ name: 'West’s name' }),
    ]);
    const won = results.filter((r) => r.ok);
    const lost = results.filter((r): r is Extract<SaveResult, { ok: false }> => !r.ok);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = won[0]!.ok ? won[0]!.publisher.name : '';
    const loserName = winner === 'Owner’s name' ? 'West’s name' : 'Owner’s name';
    const winnerId = winner === 'Owner’s name' ? USERS.acmeOwner.id : USERS.acmeWest.id;
    expect(lost[0]!.conflicts).toEqual([
      { field: 'name', yours: loserName, current: winner, updatedBy: winnerId, updatedAt: expect.any(String) },
    ]);
    await until(owner, (s) => s.publisher?.name === winner, 'the owner to show the winner');
    await until(west, (s) => s.publisher?.name === winner, 'west to show the winner');
    ownerView.stop();
    westView.stop();
  });

  it('one store per record while it is held; once no one holds it, it is forgotten with its channels', async () => {
    const { core } = await rt.core('acmeOwner'); // grace: 50 ms
    const first = core.publisher(SUNRISE);
    const view = record(first);
    await until(first, (s) => s.publisher !== null && s.viewers.length > 0, 'the record and its viewers');
    expect(core.publisher(SUNRISE)).toBe(first);
    // StrictMode's unsubscribe and re-subscribe within the grace: still the same store.
    view.stop();
    const again = record(first);
    expect(core.publisher(SUNRISE)).toBe(first);
    again.stop();

    await expect.poll(() => core.publisher(SUNRISE) !== first, { timeout: 5000 }).toBe(true);
    await expect.poll(() => core.channelTopics().filter((t) => t.includes(SUNRISE)), { timeout: 5000 }).toEqual([]);
    // A new holder gets a new store that loads the record again.
    const next = core.publisher(SUNRISE);
    const nextView = record(next);
    await until(next, (s) => s.publisher?.id === SUNRISE, 'the record in the new store');
    nextView.stop();
  });
});
