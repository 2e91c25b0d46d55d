import type { MemberRole } from '../contract/index.ts';

/** The user's rights in the client's organisation, as its membership row says. */
export interface Access {
  readonly role: MemberRole;
  /** Empty: every territory. */
  readonly territories: readonly string[];
}

/**
 * What the stores hear when the user's rights in the organisation change: `updated` (a new role or
 * territories; re-read and drop what is no longer visible) or `removed` (drop everything).
 */
export type AccessChange =
  | { readonly kind: 'updated'; readonly access: Access; readonly previous: Access | null }
  | { readonly kind: 'removed' };

/** The rule of private.member_can_see_territory: owners/admins and unrestricted members see all. */
export function canSeeTerritory(access: Access, territory: string | null): boolean {
  if (access.role === 'owner' || access.role === 'admin' || access.territories.length === 0) return true;
  return territory !== null && access.territories.includes(territory);
}

const ARTICLE: Readonly<Record<MemberRole, string>> = {
  owner: 'an owner',
  admin: 'an admin',
  member: 'a member',
  agent: 'an agent account',
};

/** What to tell the person about a change of their rights, one sentence per thing that changed. */
export function describeAccessChange(
  organizationName: string,
  previous: Access | null,
  next: Access | null,
): readonly string[] {
  if (next === null) return [`You no longer have access to ${organizationName}`];
  if (previous === null) return [`You were added to ${organizationName} as ${ARTICLE[next.role]}`];
  const sentences: string[] = [];
  if (previous.role !== next.role) sentences.push(`You are now ${ARTICLE[next.role]} of ${organizationName}`);
  const restricted = (a: Access) => (a.role === 'member' || a.role === 'agent') && a.territories.length > 0;
  const before = restricted(previous) ? [...previous.territories].sort().join(', ') : '';
  const after = restricted(next) ? [...next.territories].sort().join(', ') : '';
  if (before !== after) {
    sentences.push(after === '' ? `You now see every territory of ${organizationName}` : `You were moved to ${after}`);
  }
  return sentences;
}
