/**
 * Membership changes reach the member and the organisation (member_change on user:<user> and
 * org:<org>), and people have names: the organization_people view and profile_change events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberChangeSchema, orgTopic, profileChangeSchema, userTopic } from '../../src/contract/index.ts';
import { ORGS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { asCaller, captureMessages } from './_as-user.ts';

const ACME = ORGS.acme.id;
const U = USERS;

describe.each(BACKENDS)('memberships and people on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  describe('member_change', () => {
    it('moving a member tells them on their own topic and the organisation on its topic, with before and after', async () => {
      const { messages: all } = await captureMessages(t.db, 'acmeOwner', (tx) =>
        tx.query(`update public.organization_members set territories = '{US_East}' where user_id = $1`, [
          U.acmeWest.id,
        ]),
      );
      // (Her ownership of a US_West publisher ends too: publisher-ownership.db.test.ts.)
      const messages = all.filter((m) => m.event === 'member_change');
      expect(messages.map((m) => [m.topic, m.event])).toEqual([
        [orgTopic(ACME), 'member_change'],
        [userTopic(U.acmeWest.id), 'member_change'],
      ]);
      const change = memberChangeSchema.parse(messages[1]!.payload);
      expect(change.data).toEqual({
        organizationId: ACME,
        organizationName: ORGS.acme.name,
        userId: U.acmeWest.id,
        change: 'updated',
        role: 'member',
        territories: ['US_East'],
        previousRole: 'member',
        previousTerritories: ['US_West'],
      });
      expect(messages[0]!.payload).toEqual(messages[1]!.payload);
    });

    it('a removal and an addition say so; a no-op update says nothing', async () => {
      const { messages } = await captureMessages(t.db, 'acmeOwner', async (tx) => {
        await tx.query(`update public.organization_members set role = role where user_id = $1`, [U.acmeWest.id]);
        await tx.query(`delete from public.organization_members where user_id = $1 and organization_id = $2`, [
          U.acmeWest.id,
          ACME,
        ]);
        await tx.query(
          `insert into public.organization_members (organization_id, user_id, role, territories) values ($1, $2, 'admin', '{}')`,
          [ACME, U.acmeWest.id],
        );
      });
      const own = messages
        .filter((m) => m.topic === userTopic(U.acmeWest.id))
        .map((m) => memberChangeSchema.parse(m.payload).data);
      expect(own.map((d) => [d.change, d.role, d.territories, d.previousRole]).sort()).toEqual(
        [
          ['added', 'admin', [], null],
          ['removed', null, null, 'member'],
        ].sort(),
      );
    });

    it('a change the database refuses (the last owner) tells nobody', async () => {
      const refused = await captureMessages(t.db, 'acmeOwner', async (tx) => {
        await tx.query('savepoint s');
        await tx
          .query(`update public.organization_members set role = 'member' where user_id = $1`, [U.acmeOwner.id])
          .catch(() => tx.query('rollback to savepoint s'));
      });
      expect(refused.messages).toEqual([]);
    });
  });

  describe('organization_people', () => {
    it('gives members their organisation by name, role and territories; outsiders nothing', async () => {
      const read = (caller: 'acmeWest' | 'globexMember') =>
        asCaller(t.db, caller, async (tx) => {
          const { rows } = await tx.query<{ display_name: string; role: string; territories: string[] }>(
            'select display_name, role, territories from public.organization_people where organization_id = $1 order by display_name',
            [ACME],
          );
          return rows;
        });
      expect(await read('acmeWest')).toEqual([
        { display_name: 'Acme Agent', role: 'agent', territories: [] },
        { display_name: 'Ada Okafor', role: 'owner', territories: [] },
        { display_name: 'Wren Walker', role: 'member', territories: ['US_West'] },
      ]);
      expect(await read('globexMember')).toEqual([]);
    });

    it("a rename is told to each of the person's organisations", async () => {
      const { messages } = await captureMessages(t.db, 'acmeWest', (tx) =>
        tx.query(`update public.profiles set display_name = 'Wren W.' where user_id = $1`, [U.acmeWest.id]),
      );
      expect(messages.map((m) => [m.topic, m.event])).toEqual([[orgTopic(ACME), 'profile_change']]);
      expect(profileChangeSchema.parse(messages[0]!.payload).data).toEqual({
        userId: U.acmeWest.id,
        displayName: 'Wren W.',
        avatarUrl: null,
      });
    });
  });
});
