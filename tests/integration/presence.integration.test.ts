/**
 * Who is online and what they do, through the real core on the local stack: two members see each
 * other and each other's activity; a member who joins later sees everyone's current activity at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { record, startClientStack, until, type ClientStack } from './_client-stack.ts';

describe.each(BACKENDS)('presence and activity (%s)', (backend) => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack(backend);
  });
  afterAll(() => rt.stop());

  it('two members see each other online and each other’s latest activity; a late joiner sees it at once', async () => {
    const owner = await rt.core('acmeOwner');
    const west = await rt.core('acmeWest');
    const ownerView = record(owner.core.userSnapshots);
    const westView = record(west.core.userSnapshots);

    const both = (list: readonly { userId: string }[]) =>
      [USERS.acmeOwner.id, USERS.acmeWest.id].every((id) => list.some((s) => s.userId === id));
    await until(owner.core.userSnapshots, both, 'owner to see both members');
    await until(west.core.userSnapshots, both, 'west to see both members');

    // Many updates in a row: the peer ends on the latest one.
    for (let i = 1; i <= 10; i++) {
      owner.core.userSnapshots.updateActivity({
        action: `editing ${i}`,
        territory: 'US_West',
        timestamp: new Date(Date.now() + i).toISOString(),
      });
    }
    const seen = await until(
      west.core.userSnapshots,
      (list) => list.some((s) => s.userId === USERS.acmeOwner.id && s.action === 'editing 10'),
      'west to see the owner’s latest activity',
    );
    expect(seen.find((s) => s.userId === USERS.acmeOwner.id)).toMatchObject({
      status: 'online',
      territory: 'US_West',
      connections: 1,
    });

    const late = await rt.core('acmeAgent');
    // Everyone present, itself included once the database vouched for its own ticket.
    const lateView = await until(
      late.core.userSnapshots,
      (list) =>
        list.some((s) => s.userId === USERS.acmeOwner.id && s.action === 'editing 10') &&
        list.some((s) => s.userId === USERS.acmeAgent.id),
      'the late joiner to see the owner’s current activity',
    );
    expect(lateView.map((s) => s.userId)).toEqual(
      expect.arrayContaining([USERS.acmeOwner.id, USERS.acmeWest.id, USERS.acmeAgent.id]),
    );
    ownerView.stop();
    westView.stop();
  });
});
