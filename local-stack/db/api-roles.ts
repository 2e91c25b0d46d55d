/**
 * The Postgres roles a request may run as: what Supabase's API roles are (PostgREST's
 * authenticator and Realtime's connection are granted exactly these). A token claiming any other
 * role, `postgres` included, never becomes that role.
 */
export const API_ROLES = ['anon', 'authenticated', 'service_role'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export function isApiRole(role: unknown): role is ApiRole {
  return typeof role === 'string' && (API_ROLES as readonly string[]).includes(role);
}

/** Thrown when claims name a role outside {@link API_ROLES}; callers refuse by type, not by message text. */
export class UnsupportedRoleError extends Error {
  constructor(readonly role: string) {
    super(`Unsupported role in JWT: ${role}`);
    this.name = 'UnsupportedRoleError';
  }
}
