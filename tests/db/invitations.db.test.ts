/**
 * Invitations: owners and admins invite by email with a role and territories (admins only members
 * and agent accounts); the invited person accepts once, before expiry, signed in with that email;
 * accepting creates the membership. Every refusal names its reason.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPostgresError, withClaims, type Queryable } from '../../local-stack/db/index.ts';
import { ORGS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { asCaller, type Caller } from './_as-user.ts';

const ACME = ORGS.acme.id;
const U = USERS;

interface Invitation {
  id: string;
  token: string;
  email: string;
  role: string;
  territories: string[];
  expiresAt: string;
}

const invite = (tx: Queryable, email: string, role = 'member', territories: string[] = ['US_West']) =>
  tx
    .query<{ i: Invitation }>('select public.create_invitation($1, $2, $3, $4) as i', [ACME, email, role, territories])
    .then((r) => r.rows[0]!.i);

async function outcome(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (error) {
    if (isPostgresError(error)) return `${error.code} ${error.message}`;
    throw error;
  }
}

describe.each(BACKENDS)('invitations on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  /** A signed-up user with this email (confirmed unless told otherwise), as Auth would create them. */
  async function signedUp(tx: Queryable, email: string, confirmed = true): Promise<string> {
    const id = randomUUID();
    await tx.query('reset role');
    await tx.query(
      `insert into auth.users (id, aud, role, email, email_confirmed_at, raw_user_meta_data, created_at, updated_at)
       values ($1, 'authenticated', 'authenticated', $2, $3, '{"display_name":"Nia Ndiaye"}', now(), now())`,
      [id, email, confirmed ? new Date().toISOString() : null],
    );
    return id;
  }

  const become = (tx: Queryable, userId: string | null) =>
    tx.query(
      `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
              set_config('request.jwt.claim.sub', $3, true)`,
      [
        userId ? 'authenticated' : 'anon',
        JSON.stringify(userId ? { role: 'authenticated', sub: userId } : { role: 'anon' }),
        userId ?? '',
      ],
    );

  const accept = (tx: Queryable, token: string) =>
    tx
      .query<{ a: Record<string, unknown> }>('select public.accept_invitation($1) as a', [token])
      .then((r) => r.rows[0]!.a);

  it('an owner invites; the invitee, signed in with that email, accepts once and becomes a member', async () => {
    const result = await withClaims(
      t.db,
      { role: 'authenticated', sub: U.acmeOwner.id },
      async (tx) => {
        const made = await invite(tx, '  New@Acme.test ');
        const newcomer = await signedUp(tx, 'new@acme.test');
        await become(tx, null);
        const preview = (await tx.query<{ p: unknown }>('select public.invitation_preview($1) as p', [made.token]))
          .rows[0]!.p;
        await become(tx, newcomer);
        const accepted = await accept(tx, made.token);
        await tx.query('savepoint again');
        const replay = await outcome(() => accept(tx, made.token));
        await tx.query('rollback to savepoint again');
        await tx.query('reset role');
        const membership = (
          await tx.query(
            'select role, territories from public.organization_members where organization_id = $1 and user_id = $2',
            [ACME, newcomer],
          )
        ).rows;
        return { made, preview, accepted, replay, membership };
      },
      { rollback: true },
    );
    expect(result.made).toMatchObject({ email: 'new@acme.test', role: 'member', territories: ['US_West'] });
    expect(result.made.token).toMatch(/^[0-9a-f]{64}$/);
    expect(result.preview).toEqual({
      organizationName: ORGS.acme.name,
      email: 'new@acme.test',
      role: 'member',
      territories: ['US_West'],
      invitedBy: U.acmeOwner.displayName,
      expiresAt: expect.any(String),
      state: 'pending',
    });
    expect(result.accepted).toEqual({
      organizationId: ACME,
      organizationName: ORGS.acme.name,
      role: 'member',
      territories: ['US_West'],
    });
    expect(result.replay).toBe('PT409 this invitation has already been used');
    expect(result.membership).toEqual([{ role: 'member', territories: ['US_West'] }]);
  });

  it.each([
    ['a member', 'acmeWest', 'member', /^42501 you may not invite a member/],
    ['an agent account', 'acmeAgent', 'member', /^42501/],
    ['another organisation', 'globexMember', 'member', /^42501/],
    ['anyone anonymous', 'anon', 'member', /^42501/],
  ] as const)('refuses an invitation by %s', async (_name, caller: Caller, role, error) => {
    expect(await outcome(() => asCaller(t.db, caller, (tx) => invite(tx, 'x@acme.test', role)))).toMatch(error);
  });

  it('lets an admin invite members and agent accounts, never owners or admins', async () => {
    const admin = randomUUID();
    const results = await t.db.transaction(
      async (tx) => {
        await tx.query(
          `insert into auth.users (id, email, aud, role) values ($1, 'adm@acme.test', 'authenticated', 'authenticated')`,
          [admin],
        );
        await tx.query(`insert into public.organization_members values ($1, $2, 'admin', '{}')`, [ACME, admin]);
        await become(tx, admin);
        const out: string[] = [];
        for (const role of ['member', 'agent', 'admin', 'owner']) {
          await tx.query('savepoint s');
          out.push(`${role}: ${await outcome(() => invite(tx, `${role}@example.test`, role))}`);
          await tx.query('rollback to savepoint s');
        }
        return out;
      },
      { rollback: true },
    );
    expect(results).toEqual([
      'member: ok',
      'agent: ok',
      expect.stringMatching(/^admin: 42501 you may not invite a admin/),
      expect.stringMatching(/^owner: 42501 you may not invite a owner/),
    ]);
  });

  it.each([
    ['a malformed email', 'not-an-email', 'member', ['US_West'], /^22023 email must be an email address/],
    ['an unknown role', 'x@acme.test', 'boss', [], /^22023 role must be/],
    ['a malformed territory', 'x@acme.test', 'member', ['US West!'], /^22023 territories must be/],
    ['an existing member', U.acmeWest.email, 'member', [], /^23505 west@acme.test is already a member/],
  ] as const)('refuses %s', async (_name, email, role, territories, error) => {
    expect(await outcome(() => asCaller(t.db, 'acmeOwner', (tx) => invite(tx, email, role, [...territories])))).toMatch(
      error,
    );
  });

  it.each([
    [
      'someone signed in with another email',
      'other@acme.test',
      true,
      null,
      /^42501 this invitation is for another email address/,
    ],
    ['an unconfirmed email', 'new@acme.test', false, null, /^42501 confirm your email address first/],
    ['an expired invitation', 'new@acme.test', true, 'expire', /^PT410 this invitation expired at/],
    ['a withdrawn invitation', 'new@acme.test', true, 'revoke', /^PT410 this invitation was withdrawn/],
    [
      'an inviter who lost the right',
      'new@acme.test',
      true,
      'demote',
      /^PT410 the person who invited you may no longer grant/,
    ],
    ['an unknown token', 'new@acme.test', true, 'forge', /^PT404 no such invitation/],
  ] as const)('refuses to accept for %s', async (_name, email, confirmed, twist, error) => {
    const result = await withClaims(
      t.db,
      { role: 'authenticated', sub: U.acmeOwner.id },
      async (tx) => {
        const made = await invite(tx, 'new@acme.test', 'admin', []);
        const id = made.id;
        let token = made.token;
        if (twist === 'revoke') await tx.query('select public.revoke_invitation($1)', [id]);
        const person = await signedUp(tx, email, confirmed);
        if (twist === 'expire')
          await tx.query(`update public.invitations set expires_at = now() - interval '1 s' where id = $1`, [id]);
        if (twist === 'demote') {
          // The owner who invited steps down to admin (after another owner takes over): admins may not grant admin.
          await tx.query(
            `update public.organization_members set role = 'owner' where organization_id = $1 and user_id = $2`,
            [ACME, U.acmeAgent.id],
          );
          await tx.query(
            `update public.organization_members set role = 'admin' where organization_id = $1 and user_id = $2`,
            [ACME, U.acmeOwner.id],
          );
        }
        if (twist === 'forge') token = token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
        await become(tx, person);
        return outcome(() => accept(tx, token));
      },
      { rollback: true },
    );
    expect(result).toMatch(error);
  });

  it('shows invitations to owners and admins only, and the token hash to nobody', async () => {
    const seen = await withClaims(
      t.db,
      { role: 'authenticated', sub: U.acmeOwner.id },
      async (tx) => {
        await invite(tx, 'seen@acme.test');
        const owner = (await tx.query('select email from public.invitations')).rows;
        await tx.query('savepoint s');
        const hash = await outcome(() => tx.query('select token_hash from public.invitations'));
        await tx.query('rollback to savepoint s');
        await become(tx, U.acmeWest.id);
        const member = (await tx.query('select email from public.invitations')).rows;
        return { owner, hash, member };
      },
      { rollback: true },
    );
    expect(seen).toEqual({ owner: [{ email: 'seen@acme.test' }], hash: expect.stringMatching(/^42501/), member: [] });
  });
});
