import { USERS } from '../../supabase/fixture.ts';
import { readPublicSupabaseConfig } from './supabase/public-config.ts';

/**
 * Display names the server can give for user ids. Profiles are not part of the schema, so
 * against a hosted project people appear by id (and the signed-in user by email); against a
 * local stack the fixture users get their emails, which is what a developer signs in with.
 */
export function knownNames(): Readonly<Record<string, string>> {
  if (!readPublicSupabaseConfig().isLocal) return {};
  return Object.fromEntries(Object.values(USERS).map((user) => [user.id, user.email]));
}
