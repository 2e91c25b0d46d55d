/**
 * Publisher ownership: the owner is a person of the organisation who may see the publisher; only
 * owners/admins and the current owner change it; a move or a membership change that hides the
 * publisher from its owner ends the ownership; the new owner is notified.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPostgresError, type Queryable } from '../../local-stack/db/index.ts';
import { ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { asCaller, type Caller } from './_as-user.ts';

const ACME = ORGS.acme.id;
const { sunriseBooks: SUNRISE, pacificPress: PACIFIC, harborHouse: HARBOR } = PUBLISHERS;
const U = USERS;

async function outcome(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (error) {
    if (isPostgresError(error)) return `${error.code} ${error.message}`;
    throw error;
  }
}

const ownerOf = (tx: Queryable, id: string) =>
  tx
    .query<{ owner_id: string | null }>('select owner_id from public.publishers where id = $1', [id])
    .then((r) => r.rows[0]?.owner_id);

describe.each(BACKENDS)('publisher ownership on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  const transfer = (caller: Caller, id: string, to: string | null) =>
    outcome(() =>
      asCaller(t.db, caller, (tx) => tx.query('update public.publishers set owner_id = $2 where id = $1', [id, to])),
    );

  it.each([
    ['the owner of the organisation gives it to a member who may see it', 'acmeOwner', PACIFIC.id, U.acmeWest.id, 'ok'],
    ['the current owner hands it on', 'acmeWest', SUNRISE.id, U.acmeOwner.id, 'ok'],
    ['the current owner lets it go', 'acmeWest', SUNRISE.id, null, 'ok'],
    [
      'nobody gives it to someone of another organisation',
      'acmeOwner',
      PACIFIC.id,
      U.globexMember.id,
      '23514 the owner of a publisher must be a person',
    ],
    [
      'nobody gives it to someone who may not see its territory',
      'acmeOwner',
      HARBOR.id,
      U.acmeWest.id,
      '23514 the owner of a publisher must be a person',
    ],
    ['nobody gives it to an agent account', 'acmeOwner', HARBOR.id, U.acmeAgent.id, '23514'],
    [
      'nobody gives it to a user who is no member',
      'acmeOwner',
      HARBOR.id,
      'a0000000-0000-4000-8000-0000000000ff',
      '23514',
    ],
    [
      'a member who is not its owner may not take it',
      'acmeWest',
      PACIFIC.id,
      U.acmeWest.id,
      '42501 only the owner of publisher',
    ],
  ] as const)('%s', async (_name, caller, id, to, expected) => {
    expect(await transfer(caller, id, to)).toMatch(new RegExp(`^${expected}`));
  });

  it("through save_publisher too: the rule is the table's", async () => {
    expect(
      await outcome(() =>
        asCaller(t.db, 'acmeOwner', (tx) =>
          tx.query(`select public.save_publisher($1, 1, jsonb_build_object('owner_id', $2::text))`, [
            HARBOR.id,
            U.acmeWest.id,
          ]),
        ),
      ),
    ).toMatch(/^23514/);
  });

  it("a move out of the owner's territories ends the ownership; a move they may follow keeps it", async () => {
    const owners = await asCaller(t.db, 'acmeOwner', async (tx) => {
      await tx.query(`update public.publishers set territory = 'US_East' where id = $1`, [SUNRISE.id]);
      await tx.query(`update public.publishers set territory = 'US_West' where id = $1`, [HARBOR.id]);
      return { sunrise: await ownerOf(tx, SUNRISE.id), harbor: await ownerOf(tx, HARBOR.id) };
    });
    expect(owners).toEqual({ sunrise: null, harbor: U.acmeOwner.id });
  });

  it('a membership change that hides a publisher from its owner ends that ownership, and only that one', async () => {
    const owners = await asCaller(t.db, 'acmeOwner', async (tx) => {
      await tx.query(`update public.publishers set owner_id = $2 where id = $1`, [PACIFIC.id, U.acmeWest.id]);
      await tx.query(`update public.organization_members set territories = '{US_West,EU_North}' where user_id = $1`, [
        U.acmeWest.id,
      ]);
      const kept = await ownerOf(tx, SUNRISE.id);
      await tx.query(`update public.organization_members set territories = '{US_East}' where user_id = $1`, [
        U.acmeWest.id,
      ]);
      return { kept, sunrise: await ownerOf(tx, SUNRISE.id), pacific: await ownerOf(tx, PACIFIC.id) };
    });
    expect(owners).toEqual({ kept: U.acmeWest.id, sunrise: null, pacific: null });
  });

  it('a removal from the organisation ends every ownership in it', async () => {
    const owner = await asCaller(t.db, 'acmeOwner', async (tx) => {
      await tx.query('delete from public.organization_members where organization_id = $1 and user_id = $2', [
        ACME,
        U.acmeWest.id,
      ]);
      return ownerOf(tx, SUNRISE.id);
    });
    expect(owner).toBeNull();
  });

  it('notifies the new owner, by the name of who gave it, linking to the record', async () => {
    const rows = await asCaller(t.db, 'acmeOwner', async (tx) => {
      await tx.query('update public.publishers set owner_id = $2 where id = $1', [PACIFIC.id, U.acmeWest.id]);
      await tx.query('reset role');
      return (
        await tx.query('select user_id, message, action_url, source from public.notifications where source = $1', [
          'ownership',
        ])
      ).rows;
    });
    expect(rows).toEqual([
      {
        user_id: U.acmeWest.id,
        message: 'Ada Okafor made you the owner of Pacific Press',
        action_url: `/publishers/${PACIFIC.id}`,
        source: 'ownership',
      },
    ]);
  });

  it('tells a transfer UI who may transfer and to whom', async () => {
    const answers = await asCaller(t.db, 'acmeWest', async (tx) => {
      const may = async (id: string) =>
        (await tx.query<{ may: boolean }>('select public.may_transfer_publisher($1) as may', [id])).rows[0]!.may;
      return {
        own: await may(SUNRISE.id),
        notOwn: await may(PACIFIC.id),
        hidden: await may(HARBOR.id),
        candidates: (
          await tx.query('select display_name, role from public.publisher_owner_candidates($1)', [SUNRISE.id])
        ).rows,
        none: (await tx.query('select * from public.publisher_owner_candidates($1)', [PACIFIC.id])).rows,
      };
    });
    expect(answers).toEqual({
      own: true,
      notOwn: false,
      hidden: false,
      candidates: [
        { display_name: 'Ada Okafor', role: 'owner' },
        { display_name: 'Wren Walker', role: 'member' },
      ],
      none: [],
    });
  });
});
