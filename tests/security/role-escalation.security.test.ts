/**
 * An admin took over the organisation over /rest/v1. For every pair of
 * (acting role, target role) and every change (grant each other role, remove, add a new member
 * in each role), supabase-js as that person against the local stack's /rest/v1: only owners grant
 * or revoke owner/admin, admins manage members and agents only, members and agents manage nobody,
 * and the roster is exactly what those rules allow afterwards. The last owner cannot go.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ORGS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { startRealtimeStack, type RealtimeStack } from '../_support/realtime.ts';
import { addPeople, EXTRA, SEEDED, tokenOf, type Person, type Role } from './_people.ts';

const ACME = ORGS.acme.id;
const ROLES: readonly Role[] = ['owner', 'admin', 'member', 'agent'];
const ACTORS: Record<Role, Person> = {
  owner: SEEDED.owner,
  admin: EXTRA.admin,
  member: SEEDED.westMember,
  agent: SEEDED.agent,
};
const TARGETS: Record<Role, Person> = {
  owner: EXTRA.secondOwner,
  admin: EXTRA.secondAdmin,
  member: EXTRA.secondMember,
  agent: EXTRA.secondAgent,
};
const ROSTER: readonly Person[] = [
  SEEDED.owner,
  SEEDED.westMember,
  SEEDED.agent,
  ...Object.values(TARGETS),
  EXTRA.admin,
];

/** The rule under test: may `actor` create, change or remove a membership in `role`? */
const manages = (actor: Role, role: Role) =>
  actor === 'owner' || (actor === 'admin' && (role === 'member' || role === 'agent'));

type Roster = Record<string, Role>;
const baseline = (): Roster => Object.fromEntries(ROSTER.map((p) => [p.id, p.role]));

describe.each(BACKENDS)('role changes over /rest/v1 (%s)', (backend) => {
  let rt: RealtimeStack;
  const clients = new Map<string, SupabaseClient>();

  async function as(p: Person): Promise<SupabaseClient> {
    const token = await tokenOf(p, rt.stack.config.jwtSecret);
    const client = createClient(rt.stack.url, rt.stack.config.anonKey, {
      accessToken: async () => token,
      auth: { persistSession: false, autoRefreshToken: false },
    });
    clients.set(p.id, client);
    return client;
  }

  async function roster(): Promise<Roster> {
    const { rows } = await rt.database.db.query<{ user_id: string; role: Role }>(
      'select user_id::text, role from public.organization_members where organization_id = $1',
      [ACME],
    );
    return Object.fromEntries(rows.map((r) => [r.user_id, r.role]));
  }

  beforeAll(async () => {
    rt = await startRealtimeStack(backend);
    await addPeople(rt.database.db, [EXTRA.admin, ...Object.values(TARGETS)], [EXTRA.candidate]);
  });
  beforeEach(async () => {
    // Back to the baseline roster in one statement (the last-owner trigger judges the result).
    await rt.database.db.query('delete from public.organization_members where organization_id = $1 and user_id = $2', [
      ACME,
      EXTRA.candidate.id,
    ]);
    await rt.database.db.query(
      `insert into public.organization_members (organization_id, user_id, role, territories)
       select $1, u.id, u.role, u.territories from jsonb_to_recordset($2::jsonb) as u (id uuid, role text, territories text[])
       on conflict (organization_id, user_id) do update set role = excluded.role, territories = excluded.territories`,
      [ACME, JSON.stringify(ROSTER.map((p) => ({ id: p.id, role: p.role, territories: p.territories })))],
    );
  });
  afterAll(async () => {
    await rt?.stop();
  });

  const changes = ROLES.flatMap((actor) =>
    ROLES.flatMap((target) =>
      ROLES.filter((to) => to !== target).map((to) => ({
        actor,
        target,
        to,
        allowed: manages(actor, target) && manages(actor, to),
      })),
    ),
  );
  it.each(changes)('$actor sets a $target to $to: allowed=$allowed', async ({ actor, target, to, allowed }) => {
    const client = await as(ACTORS[actor]);
    const result = await client
      .from('organization_members')
      .update({ role: to })
      .eq('organization_id', ACME)
      .eq('user_id', TARGETS[target].id)
      .select('role');
    const expectedRoster = baseline();
    if (allowed) {
      expect(result).toMatchObject({ status: 200, error: null, data: [{ role: to }] });
      expectedRoster[TARGETS[target].id] = to;
    } else if (!manages(actor, target)) {
      // The row is not the actor's to change: RLS hides it, nothing matches.
      expect(result).toMatchObject({ status: 200, error: null, data: [] });
    } else {
      // The actor may manage the row, not hand out that role: WITH CHECK refuses.
      expect(result.status).toBe(403);
      expect(result.error).toMatchObject({
        code: '42501',
        message: 'new row violates row-level security policy for table "organization_members"',
      });
    }
    expect(await roster()).toEqual(expectedRoster);
  });

  it.each(ROLES.flatMap((actor) => ROLES.map((target) => ({ actor, target, allowed: manages(actor, target) }))))(
    '$actor removes a $target: allowed=$allowed',
    async ({ actor, target, allowed }) => {
      const client = await as(ACTORS[actor]);
      const result = await client
        .from('organization_members')
        .delete()
        .eq('organization_id', ACME)
        .eq('user_id', TARGETS[target].id)
        .select('user_id');
      expect(result).toMatchObject({
        status: 200,
        error: null,
        data: allowed ? [{ user_id: TARGETS[target].id }] : [],
      });
      const expectedRoster = baseline();
      if (allowed) delete expectedRoster[TARGETS[target].id];
      expect(await roster()).toEqual(expectedRoster);
    },
  );

  it.each(ROLES.flatMap((actor) => ROLES.map((to) => ({ actor, to, allowed: manages(actor, to) }))))(
    '$actor adds a new $to: allowed=$allowed',
    async ({ actor, to, allowed }) => {
      const client = await as(ACTORS[actor]);
      const result = await client
        .from('organization_members')
        .insert({ organization_id: ACME, user_id: EXTRA.candidate.id, role: to });
      const expectedRoster = baseline();
      if (allowed) {
        expect(result.status).toBe(201);
        expectedRoster[EXTRA.candidate.id] = to;
      } else {
        expect(result.status).toBe(403);
        expect(result.error).toMatchObject({ code: '42501' });
      }
      expect(await roster()).toEqual(expectedRoster);
    },
  );

  it('replays the takeover: an admin made by the owner can neither demote the owner, promote itself nor remove the owner', async () => {
    const owner = await as(SEEDED.owner);
    const promoted = await owner
      .from('organization_members')
      .update({ role: 'admin' })
      .eq('organization_id', ACME)
      .eq('user_id', SEEDED.westMember.id)
      .select('role');
    expect(promoted).toMatchObject({ status: 200, data: [{ role: 'admin' }] });
    const west = await as(SEEDED.westMember);
    const demote = await west
      .from('organization_members')
      .update({ role: 'member' })
      .eq('organization_id', ACME)
      .eq('user_id', SEEDED.owner.id)
      .select();
    expect(demote).toMatchObject({ status: 200, error: null, data: [] });
    const crown = await west
      .from('organization_members')
      .update({ role: 'owner' })
      .eq('organization_id', ACME)
      .eq('user_id', SEEDED.westMember.id)
      .select();
    expect(crown).toMatchObject({ status: 200, error: null, data: [] });
    const oust = await west
      .from('organization_members')
      .delete()
      .eq('organization_id', ACME)
      .eq('user_id', SEEDED.owner.id)
      .select();
    expect(oust).toMatchObject({ status: 200, error: null, data: [] });
    expect(await roster()).toEqual({ ...baseline(), [SEEDED.westMember.id]: 'admin' });
  });

  describe('the last owner', () => {
    const LAST_OWNER = {
      code: '23514',
      message: 'An organization must keep at least one owner',
      details: `Organization ${ACME} would have no owner left.`,
      hint: 'Make another member owner first.',
    };

    beforeEach(async () => {
      await rt.database.db.query(
        'update public.organization_members set role = $3 where organization_id = $1 and user_id = $2',
        [ACME, EXTRA.secondOwner.id, 'member'],
      );
    });

    it('cannot demote itself or leave: 400 with the reason, and the organisation keeps its owner', async () => {
      const owner = await as(SEEDED.owner);
      const demote = await owner
        .from('organization_members')
        .update({ role: 'admin' })
        .eq('organization_id', ACME)
        .eq('user_id', SEEDED.owner.id)
        .select();
      expect(demote.status).toBe(400);
      expect(demote.error).toMatchObject(LAST_OWNER);
      const leave = await owner
        .from('organization_members')
        .delete()
        .eq('organization_id', ACME)
        .eq('user_id', SEEDED.owner.id);
      expect(leave.status).toBe(400);
      expect(leave.error).toMatchObject(LAST_OWNER);
      expect((await roster())[SEEDED.owner.id]).toBe('owner');
    });

    it('can hand over: promote another owner first, then step down', async () => {
      const owner = await as(SEEDED.owner);
      expect(
        (
          await owner
            .from('organization_members')
            .update({ role: 'owner' })
            .eq('organization_id', ACME)
            .eq('user_id', EXTRA.admin.id)
        ).status,
      ).toBe(204);
      expect(
        (
          await owner
            .from('organization_members')
            .update({ role: 'member' })
            .eq('organization_id', ACME)
            .eq('user_id', SEEDED.owner.id)
        ).status,
      ).toBe(204);
      const after = await roster();
      expect([after[EXTRA.admin.id], after[SEEDED.owner.id]]).toEqual(['owner', 'member']);
    });

    it('holds for the service role too, and for one statement demoting every owner', async () => {
      await expect(
        rt.database.db.query(
          `update public.organization_members set role = 'member' where organization_id = $1 and role = 'owner'`,
          [ACME],
        ),
      ).rejects.toThrow('An organization must keep at least one owner');
      expect((await roster())[SEEDED.owner.id]).toBe('owner');
    });

    it('does not stand in the way of deleting the organisation itself', async () => {
      await rt.database.db.transaction(
        async (tx) => {
          await tx.query('delete from public.organizations where id = $1', [ACME]);
          const { rows } = await tx.query<{ n: number }>(
            'select count(*)::int as n from public.organization_members where organization_id = $1',
            [ACME],
          );
          expect(rows[0]!.n).toBe(0);
        },
        { rollback: true },
      );
    });
  });
});
