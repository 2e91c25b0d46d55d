import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import type { Database } from '../contract/index.ts';

export type MemberRole = 'owner' | 'admin' | 'member' | 'agent';

/** One organisation the signed-in user belongs to. */
interface SessionMembership {
  readonly organizationId: string;
  readonly organizationName: string;
  readonly role: MemberRole;
}

/** Who is signed in and where they belong: what every dashboard page needs first. */
export interface DashboardSession {
  readonly userId: string;
  readonly email: string;
  /** The profile's display name (the email's local part when there is no profile). */
  readonly displayName: string;
  readonly organizationId: string;
  readonly organizationName: string;
  readonly role: MemberRole;
  /** Empty means every territory of the organisation. */
  readonly territories: readonly string[];
  /** Every organisation the user belongs to, oldest membership first (for the switcher). */
  readonly memberships: readonly SessionMembership[];
}

const membershipRowSchema = z.object({
  organization_id: z.string(),
  role: z.enum(['owner', 'admin', 'member', 'agent']),
  territories: z.array(z.string()),
  organizations: z.object({ name: z.string() }).nullable(),
});

export interface SessionOptions {
  /** The user is the token's (a client made with that bearer), not the cookie's. */
  readonly accessToken?: string;
  /** The organisation to open (the URL's or the remembered choice); the first membership otherwise. */
  readonly organizationId?: string | null;
}

/** The signed-in user's id and email, or null. */
export async function signedInUser(
  supabase: SupabaseClient<Database>,
  accessToken?: string,
): Promise<{ readonly id: string; readonly email: string } | null> {
  const { data } = await (accessToken ? supabase.auth.getUser(accessToken) : supabase.auth.getUser());
  return data.user ? { id: data.user.id, email: data.user.email ?? data.user.id } : null;
}

/**
 * The signed-in user and one of their organisation memberships (the one asked for when they
 * belong to it, else their first), read as that user so RLS decides; `null` when nobody is
 * signed in or the user belongs to no organisation.
 */
export async function loadDashboardSession(
  supabase: SupabaseClient<Database>,
  options: SessionOptions = {},
): Promise<DashboardSession | null> {
  const user = await signedInUser(supabase, options.accessToken);
  if (!user) return null;
  const { data, error } = await supabase
    .from('organization_members')
    .select('organization_id, role, territories, organizations(name)')
    .eq('user_id', user.id)
    .order('created_at');
  if (error) throw new Error(`Could not read the organisation memberships: ${error.message}`);
  const rows = z.array(membershipRowSchema).safeParse(data);
  if (!rows.success || rows.data.length === 0) return null;
  const chosen = rows.data.find((row) => row.organization_id === options.organizationId) ?? rows.data[0]!;
  const profile = await supabase.from('profiles').select('display_name').eq('user_id', user.id).maybeSingle();
  const displayName = (profile.data as { display_name?: unknown } | null)?.display_name;
  return {
    userId: user.id,
    email: user.email,
    displayName: typeof displayName === 'string' && displayName ? displayName : user.email.split('@')[0]!,
    organizationId: chosen.organization_id,
    organizationName: chosen.organizations?.name ?? chosen.organization_id,
    role: chosen.role,
    territories: chosen.territories,
    memberships: rows.data.map((row) => ({
      organizationId: row.organization_id,
      organizationName: row.organizations?.name ?? row.organization_id,
      role: row.role,
    })),
  };
}
