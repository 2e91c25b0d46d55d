/**
 * The people the security suites need beyond the seed fixture: a second owner, admins, an
 * unrestricted member and more, added to a test database as the migration role would. Every
 * suite can then speak of roles ("an admin", "a US_West member") rather than of fixture users.
 */
import type { Database, JwtClaims } from '../../local-stack/db/index.ts';
import { ORGS, USERS } from '../../supabase/fixture.ts';
import { signJwt } from '../../local-stack/jwt.ts';

export type Role = 'owner' | 'admin' | 'member' | 'agent';

export interface Person {
  readonly id: string;
  readonly email: string;
  readonly orgId: string;
  readonly role: Role;
  /** Empty: every territory. */
  readonly territories: readonly string[];
}

const person = (id: string, email: string, role: Role, territories: readonly string[] = []): Person => ({
  id,
  email,
  orgId: ORGS.acme.id,
  role,
  territories,
});

/** The seed's people, in the same shape. */
export const SEEDED = {
  owner: { ...USERS.acmeOwner, role: 'owner' },
  westMember: { ...USERS.acmeWest, role: 'member' },
  agent: { ...USERS.acmeAgent, role: 'agent' },
  otherOrgMember: { ...USERS.globexMember, role: 'member' },
} as const satisfies Record<string, Person>;

/** Acme people the seed does not have. */
export const EXTRA = {
  admin: person('a0000000-0000-4000-8000-0000000000a1', 'admin@acme.test', 'admin'),
  unrestrictedMember: person('a0000000-0000-4000-8000-0000000000a2', 'all@acme.test', 'member'),
  secondOwner: person('a0000000-0000-4000-8000-0000000000a3', 'owner2@acme.test', 'owner'),
  secondAdmin: person('a0000000-0000-4000-8000-0000000000a4', 'admin2@acme.test', 'admin'),
  secondMember: person('a0000000-0000-4000-8000-0000000000a5', 'member2@acme.test', 'member', ['US_East']),
  secondAgent: person('a0000000-0000-4000-8000-0000000000a6', 'agent2@acme.test', 'agent'),
  /** A signed-up user of no organisation, for "add a member" cases. */
  candidate: person('a0000000-0000-4000-8000-0000000000a7', 'candidate@acme.test', 'member'),
} as const satisfies Record<string, Person>;

/** Adds users (auth.users) and, unless `withoutMembership`, their Acme memberships. */
export async function addPeople(
  db: Database,
  people: readonly Person[],
  withoutMembership: readonly Person[] = [],
): Promise<void> {
  for (const p of [...people, ...withoutMembership]) {
    await db.query(`insert into auth.users (id, email, aud, role) values ($1, $2, 'authenticated', 'authenticated')`, [
      p.id,
      p.email,
    ]);
  }
  for (const p of people) {
    await db.query(
      `insert into public.organization_members (organization_id, user_id, role, territories) values ($1, $2, $3, $4)`,
      [p.orgId, p.id, p.role, p.territories],
    );
  }
}

/** The claims of a signed-in person's access token. */
export function claimsOf(p: Pick<Person, 'id' | 'email'>, ttlSeconds = 3600): JwtClaims {
  const now = Math.floor(Date.now() / 1000);
  return { sub: p.id, email: p.email, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + ttlSeconds };
}

export function tokenOf(p: Pick<Person, 'id' | 'email'>, secret: string, ttlSeconds = 3600): Promise<string> {
  return signJwt({ ...claimsOf(p, ttlSeconds) }, secret);
}
