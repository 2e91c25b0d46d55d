/**
 * Read state per user: notification_reads for org-wide notifications (RLS: one's own rows, for
 * notifications one can read), mark_notifications_read for personal and org-wide ones alike, and
 * my_notifications listing what the caller sees with is_read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyClaims, isPostgresError, type Queryable } from '../../local-stack/db/index.ts';
import { MENTION_NOTIFICATION_MESSAGE, NOTIFICATIONS, ORGS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { asCaller, attempt, CALLERS, claimsFor, type Caller } from './_as-user.ts';

const N = NOTIFICATIONS;
const U = USERS;

interface Listed {
  message: string;
  is_read: boolean;
}

async function listed(tx: Queryable): Promise<Listed[]> {
  const { rows } = await tx.query<Listed>(`select message, is_read from public.my_notifications order by message`);
  return rows;
}

async function markRead(tx: Queryable, ids: string[] | null = null, org: string | null = null): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(`select public.mark_notifications_read($1::uuid[], $2::uuid) as n`, [
    ids,
    org,
  ]);
  return rows[0]!.n;
}

async function become(tx: Queryable, caller: Caller): Promise<void> {
  await tx.query('reset role');
  await applyClaims(tx, claimsFor(caller));
}

const insertMark = `insert into public.notification_reads (notification_id, user_id) values ($1, $2)`;

describe.each(BACKENDS)('notification read state on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  describe('notification_reads writes', () => {
    const cases: { name: string; sql: string; params: (caller: Caller) => unknown[]; allowed: readonly Caller[] }[] = [
      {
        name: 'mark the Acme org-wide notification read for oneself',
        sql: insertMark,
        params: (c) => [N.acmeOrgWide, c === 'anon' ? U.acmeWest.id : U[c].id],
        allowed: ['acmeOwner', 'acmeWest', 'acmeAgent'],
      },
      {
        name: 'mark the Acme org-wide notification read for somebody else',
        sql: insertMark,
        params: (c) => [N.acmeOrgWide, c === 'acmeWest' ? U.acmeOwner.id : U.acmeWest.id],
        allowed: [],
      },
      {
        name: "mark the owner's personal notification read through notification_reads",
        sql: insertMark,
        params: (c) => [N.acmeOwnerPersonal, c === 'anon' ? U.acmeOwner.id : U[c].id],
        allowed: [],
      },
      {
        name: 'mark the Globex org-wide notification read for oneself',
        sql: insertMark,
        params: (c) => [N.globexOrgWide, c === 'anon' ? U.globexMember.id : U[c].id],
        allowed: ['globexMember'],
      },
      {
        name: 'back-date a read mark',
        sql: `update public.notification_reads set read_at = '2000-01-01' where notification_id = $1`,
        params: () => [N.acmeOrgWide],
        allowed: [],
      },
    ];
    describe.each(cases)('$name', ({ sql, params, allowed }) => {
      it.each(CALLERS)('by %s', async (caller) => {
        const setup = async () => {
          // Every Acme member has read the org-wide notification, so the update case has rows to hit.
          await t.db.query(
            `insert into public.notification_reads (notification_id, user_id) select $1, unnest($2::uuid[]) on conflict do nothing`,
            [N.acmeOrgWide, [U.acmeOwner.id, U.acmeWest.id, U.acmeAgent.id]],
          );
        };
        if (sql.startsWith('update')) await setup();
        try {
          expect(await attempt(t.db, caller, sql, params(caller))).toBe(
            allowed.includes(caller) ? 'allowed' : 'refused',
          );
        } finally {
          await t.db.query('delete from public.notification_reads');
        }
      });
    });
  });

  it('a user reads and deletes only their own read marks', async () => {
    await t.db.query(
      `insert into public.notification_reads (notification_id, user_id) values ($1, $2), ($1, $3), ($4, $5)`,
      [N.acmeOrgWide, U.acmeOwner.id, U.acmeWest.id, N.globexOrgWide, U.globexMember.id],
    );
    try {
      for (const caller of CALLERS.filter((c) => c !== 'anon')) {
        const own = await asCaller(
          t.db,
          caller,
          async (tx) => (await tx.query<{ user_id: string }>(`select user_id from public.notification_reads`)).rows,
        );
        expect({ caller, own }).toEqual({ caller, own: caller === 'acmeAgent' ? [] : [{ user_id: U[caller].id }] });
      }
      expect(
        await attempt(t.db, 'acmeWest', `delete from public.notification_reads where user_id = $1`, [U.acmeOwner.id]),
      ).toBe('refused');
      expect(
        await attempt(t.db, 'acmeWest', `delete from public.notification_reads where user_id = $1`, [U.acmeWest.id]),
      ).toBe('allowed');
      const anon = await asCaller(t.db, 'anon', (tx) => tx.query(`select * from public.notification_reads`)).catch(
        (e: unknown) => e,
      );
      expect(isPostgresError(anon) && anon.code).toBe('42501');
    } finally {
      await t.db.query('delete from public.notification_reads');
    }
  });

  it('my_notifications lists what each caller may read, unread at first', async () => {
    const expected: Record<Exclude<Caller, 'anon'>, string[]> = {
      acmeOwner: ['Scoring finished: 4 publishers scored', 'Weekly publisher report is ready'],
      acmeWest: [MENTION_NOTIFICATION_MESSAGE, 'Weekly publisher report is ready'],
      acmeAgent: ['Weekly publisher report is ready'],
      globexMember: ['Globex import paused for maintenance'],
    };
    for (const [caller, messages] of Object.entries(expected) as [Exclude<Caller, 'anon'>, string[]][]) {
      const rows = await asCaller(t.db, caller, listed);
      expect({ caller, rows }).toEqual({
        caller,
        rows: [...messages].sort().map((message) => ({ message, is_read: false })),
      });
    }
    const anon = await asCaller(t.db, 'anon', listed).catch((e: unknown) => e);
    expect(isPostgresError(anon) && anon.code).toBe('42501');
  });

  it('"mark all read" covers personal and org-wide notifications, and only for the caller', async () => {
    const seen = await asCaller(t.db, 'acmeOwner', async (tx) => {
      const marked = await markRead(tx);
      const again = await markRead(tx);
      const owner = await listed(tx);
      await become(tx, 'acmeWest');
      const west = await listed(tx);
      return { marked, again, owner, west };
    });
    expect(seen.marked).toBe(2);
    expect(seen.again).toBe(0);
    expect(seen.owner).toEqual([
      { message: 'Scoring finished: 4 publishers scored', is_read: true },
      { message: 'Weekly publisher report is ready', is_read: true },
    ]);
    // The owner's read mark on the org-wide notification is hers alone.
    expect(seen.west).toEqual([
      { message: 'Weekly publisher report is ready', is_read: false },
      { message: MENTION_NOTIFICATION_MESSAGE, is_read: false },
    ]);
  });

  it('"mark read" by id marks exactly those, and ignores ids the caller cannot read', async () => {
    const seen = await asCaller(t.db, 'acmeWest', async (tx) => {
      const orgWide = await markRead(tx, [N.acmeOrgWide]);
      const foreign = await markRead(tx, [N.globexOrgWide, N.acmeOwnerPersonal]);
      return { orgWide, foreign, rows: await listed(tx) };
    });
    expect(seen).toEqual({
      orgWide: 1,
      foreign: 0,
      rows: [
        { message: 'Weekly publisher report is ready', is_read: true },
        { message: MENTION_NOTIFICATION_MESSAGE, is_read: false },
      ],
    });
    const untouched = await t.db.query(`select count(*)::int as n from public.notifications where read_at is not null`);
    expect(untouched.rows).toEqual([{ n: 0 }]);
  });

  it('"mark all read" in one organisation leaves the others alone', async () => {
    const counts = await asCaller(t.db, 'acmeWest', async (tx) => {
      const otherOrg = await markRead(tx, null, ORGS.globex.id);
      const acme = await markRead(tx, null, ORGS.acme.id);
      return { otherOrg, acme };
    });
    expect(counts).toEqual({ otherOrg: 0, acme: 2 });
  });

  it('read_at of a personal notification and of an org-wide read mark show through my_notifications', async () => {
    const rows = await asCaller(t.db, 'acmeOwner', async (tx) => {
      await markRead(tx, [N.acmeOwnerPersonal, N.acmeOrgWide]);
      const { rows } = await tx.query<{ id: string; same: boolean }>(
        `select m.id, m.read_at = coalesce(n.read_at, r.read_at) as same
           from public.my_notifications m join public.notifications n using (id)
           left join public.notification_reads r on r.notification_id = m.id
          order by m.id`,
      );
      return rows;
    });
    expect(rows).toEqual([
      { id: N.acmeOrgWide, same: true },
      { id: N.acmeOwnerPersonal, same: true },
    ]);
  });

  it('anon may not call mark_notifications_read', async () => {
    const error = await asCaller(t.db, 'anon', (tx) => markRead(tx)).catch((e: unknown) => e);
    expect(isPostgresError(error) && { code: error.code, message: error.message }).toEqual({
      code: '42501',
      message: 'permission denied for function mark_notifications_read',
    });
  });
});
