import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';

/** Who is signed in and where they belong: what every dashboard page needs first. */
export interface DashboardSession {
  readonly userId: string;
  readonly email: string;
  readonly organizationId: string;
  readonly organizationName: string;
  readonly role: 'owner' | 'admin' | 'member' | 'agent';
  /** Empty means every territory of the organisation. */
  readonly territories: readonly string[];
}

const membershipRowSchema = z.object({
  organization_id: z.string(),
  role: z.enum(['owner', 'admin', 'member', 'agent']),
  territories: z.array(z.string()),
  organizations: z.object({ name: z.string() }).nullable(),
});

/**
 * The signed-in user and their (first) organisation membership, read as that user so RLS
 * decides; `null` when nobody is signed in or the user belongs to no organisation. With
 * `accessToken`, the user is the token's (a client made with that bearer), not the cookie's.
 */
export async function loadDashboardSession(
  supabase: SupabaseClient,
  accessToken?: string,
): Promise<DashboardSession | null> {
  const { data: userData } = await (accessToken ? supabase.auth.getUser(accessToken) : supabase.auth.getUser());
  const user = userData.user;
  if (!user) return null;
  const { data, error } = await supabase
    .from('organization_members')
    .select('organization_id, role, territories, organizations(name)')
    .eq('user_id', user.id)
    .order('created_at')
    .limit(1);
  if (error) throw new Error(`Could not read the organisation membership: ${error.message}`);
  const row = membershipRowSchema.safeParse(data?.[0]);
  if (!row.success) return null;
  return {
    userId: user.id,
    email: user.email ?? user.id,
    organizationId: row.data.organization_id,
    organizationName: row.data.organizations?.name ?? row.data.organization_id,
    role: row.data.role,
    territories: row.data.territories,
  };
}
