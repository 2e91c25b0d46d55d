/**
 * save_publisher, publisher_changes, mark_notifications_read and my_notifications as an app
 * reaches them: supabase-js `rpc` and `from` against the local stack's /rest/v1, with the HTTP
 * statuses PostgREST gives the functions' SQLSTATEs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATIONS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { startRestStack, type RestStack } from '../_support/rest.ts';

const P = PUBLISHERS;

describe.each(BACKENDS)('collaboration rpcs through supabase-js (%s)', (backend) => {
  let rest: RestStack;
  beforeAll(async () => {
    rest = await startRestStack(backend);
  });
  afterAll(async () => {
    await rest?.stop();
  });

  it('saves a field and returns the row; a stale save of a field someone else changed gets the conflict', async () => {
    const owner = await rest.client('acmeOwner');
    const west = await rest.client('acmeWest');
    const saved = await owner.rpc('save_publisher', {
      publisher_id: P.sunriseBooks.id,
      base_version: 1,
      changes: { status: 'negotiating' },
    });
    expect(saved.error).toBeNull();
    expect(saved.status).toBe(200);
    expect(saved.data).toMatchObject({
      ok: true,
      publisher: { id: P.sunriseBooks.id, status: 'negotiating', version: 2, updated_by: USERS.acmeOwner.id },
    });

    // West's form still shows version 1: her name lands, her status is refused with both values.
    const stale = await west.rpc('save_publisher', {
      publisher_id: P.sunriseBooks.id,
      base_version: 1,
      changes: { name: 'Sunrise Books West', status: 'lost' },
    });
    expect(stale.error).toBeNull();
    expect(stale.data).toEqual({
      ok: false,
      publisher: expect.objectContaining({ name: 'Sunrise Books West', status: 'negotiating', version: 3 }),
      conflicts: [
        {
          field: 'status',
          yours: 'lost',
          current: 'negotiating',
          updatedBy: USERS.acmeOwner.id,
          updatedAt: expect.stringMatching(/Z$/),
        },
      ],
    });

    // The history backs a client's catch-up: everything after the version it had.
    const { data: changes, error } = await west
      .from('publisher_changes')
      .select('version,field,old_value,new_value,changed_by')
      .eq('publisher_id', P.sunriseBooks.id)
      .gt('version', 1)
      .order('version');
    expect(error).toBeNull();
    expect(changes).toEqual([
      { version: 2, field: 'status', old_value: 'active', new_value: 'negotiating', changed_by: USERS.acmeOwner.id },
      {
        version: 3,
        field: 'name',
        old_value: 'Sunrise Books',
        new_value: 'Sunrise Books West',
        changed_by: USERS.acmeWest.id,
      },
    ]);
  });

  it('answers bad input with 400 and the reason, never 500', async () => {
    const owner = await rest.client('acmeOwner');
    const unknown = await owner.rpc('save_publisher', {
      publisher_id: P.pacificPress.id,
      base_version: 1,
      changes: { nickname: 'PP' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.error).toMatchObject({
      code: '22023',
      message: 'unknown publisher field: nickname',
      hint: 'fields: name, status, territory, owner_id, custom_fields, custom_fields.<key>',
    });

    const notObject = await owner.rpc('save_publisher', {
      publisher_id: P.pacificPress.id,
      base_version: 1,
      changes: 'name=PP',
    });
    expect(notObject.status).toBe(400);
    expect(notObject.error).toMatchObject({
      code: '22023',
      message: 'changes must be a JSON object of field: value, got string',
    });

    const badVersion = await owner.rpc('save_publisher', {
      publisher_id: P.pacificPress.id,
      base_version: 'one',
      changes: { name: 'PP' },
    });
    expect(badVersion.status).toBe(400);
    expect(badVersion.error).toMatchObject({ code: '22P02' });

    const missing = await owner.rpc('save_publisher', { publisher_id: P.pacificPress.id, changes: { name: 'PP' } });
    expect(missing.status).toBe(404);
    expect(missing.error).toMatchObject({ code: 'PGRST202' });
  });

  it('answers 404 for a publisher the caller cannot see, 403 for the agent, 401 for anon', async () => {
    const west = await rest.client('acmeWest');
    const hidden = await west.rpc('save_publisher', {
      publisher_id: P.harborHouse.id,
      base_version: 1,
      changes: { name: 'Mine' },
    });
    expect(hidden.status).toBe(404);
    expect(hidden.error).toMatchObject({ code: 'PT404', message: `publisher ${P.harborHouse.id} not found` });

    const agent = await rest.client('acmeAgent');
    const byAgent = await agent.rpc('save_publisher', {
      publisher_id: P.harborHouse.id,
      base_version: 1,
      changes: { name: 'Mine' },
    });
    expect(byAgent.status).toBe(403);
    expect(byAgent.error).toMatchObject({
      code: '42501',
      message: `not allowed to edit publisher ${P.harborHouse.id}`,
    });

    const anon = await rest.client('anon');
    const byAnon = await anon.rpc('save_publisher', {
      publisher_id: P.harborHouse.id,
      base_version: 1,
      changes: { name: 'Mine' },
    });
    expect(byAnon.status).toBe(401);
    expect(byAnon.error).toMatchObject({ code: '42501' });

    const service = await rest.client('service_role');
    const { data } = await service.from('publishers').select('name,version').eq('id', P.harborHouse.id).single();
    expect(data).toEqual({ name: 'Harbor House', version: 1 });
  });

  it('marks personal and org-wide notifications read per user, and lists them with is_read', async () => {
    const owner = await rest.client('acmeOwner');
    const west = await rest.client('acmeWest');
    const one = await west.rpc('mark_notifications_read', { ids: [NOTIFICATIONS.acmeOrgWide] });
    expect(one).toMatchObject({ status: 200, data: 1, error: null });

    const westList = await west.from('my_notifications').select('id,is_read').order('created_at').order('id');
    expect(westList.error).toBeNull();
    expect(westList.data).toEqual(
      expect.arrayContaining([
        { id: NOTIFICATIONS.acmeOrgWide, is_read: true },
        expect.objectContaining({ is_read: false }), // her mention notification
      ]),
    );
    expect(westList.data).toHaveLength(2);

    // West's read mark is hers: the owner still has both of hers unread, then marks all.
    const ownerBefore = await owner.from('my_notifications').select('id,is_read').order('id');
    expect(ownerBefore.data).toEqual([
      { id: NOTIFICATIONS.acmeOrgWide, is_read: false },
      { id: NOTIFICATIONS.acmeOwnerPersonal, is_read: false },
    ]);
    expect((await owner.rpc('mark_notifications_read')).data).toBe(2);
    expect((await owner.rpc('mark_notifications_read')).data).toBe(0);
    const ownerAfter = await owner.from('my_notifications').select('id,is_read').order('id');
    expect(ownerAfter.data).toEqual([
      { id: NOTIFICATIONS.acmeOrgWide, is_read: true },
      { id: NOTIFICATIONS.acmeOwnerPersonal, is_read: true },
    ]);

    const anon = await rest.client('anon');
    const byAnon = await anon.rpc('mark_notifications_read');
    expect(byAnon.status).toBe(401);
    const garbled = await west.rpc('mark_notifications_read', { ids: ['not-a-uuid'] });
    expect(garbled.status).toBe(400);
    expect(garbled.error).toMatchObject({ code: '22P02' });
  });
});
