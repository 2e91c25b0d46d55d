import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import type { MemberRole } from './session.ts';
import type { Database } from '../contract/index.ts';

/*
 * What the people panel and the invitation pages do, over the user's own supabase-js client: RLS
 * and the database's functions decide (owners manage every role, admins members and agent
 * accounts; an invitation is accepted once, by its address, before it expires). Each answer is
 * the database's own reason when it says no.
 */

export type Outcome<T = undefined> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

const failed = (error: { message: string }): { ok: false; message: string } => ({ ok: false, message: error.message });

/** Territory names as typed ("US_West, US_East"): trimmed, empty ones dropped, each once. */
export function parseTerritories(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

export async function changeMember(
  supabase: SupabaseClient<Database>,
  organizationId: string,
  userId: string,
  change: { readonly role: MemberRole; readonly territories: readonly string[] },
): Promise<Outcome> {
  const { data, error } = await supabase
    .from('organization_members')
    .update({ role: change.role, territories: [...change.territories] })
    .eq('organization_id', organizationId)
    .eq('user_id', userId)
    .select('user_id');
  if (error) return failed(error);
  if (!data || data.length === 0) return { ok: false, message: 'You may not change this membership' };
  return { ok: true, value: undefined };
}

export async function removeMember(
  supabase: SupabaseClient<Database>,
  organizationId: string,
  userId: string,
): Promise<Outcome> {
  const { data, error } = await supabase
    .from('organization_members')
    .delete()
    .eq('organization_id', organizationId)
    .eq('user_id', userId)
    .select('user_id');
  if (error) return failed(error);
  if (!data || data.length === 0) return { ok: false, message: 'You may not remove this member' };
  return { ok: true, value: undefined };
}

const createdSchema = z.object({ id: z.string(), token: z.string(), email: z.string(), expiresAt: z.string() });
export type CreatedInvitation = z.infer<typeof createdSchema>;

export async function inviteMember(
  supabase: SupabaseClient<Database>,
  organizationId: string,
  invitation: { readonly email: string; readonly role: MemberRole; readonly territories: readonly string[] },
): Promise<Outcome<CreatedInvitation>> {
  const { data, error } = await supabase.rpc('create_invitation', {
    organization_id: organizationId,
    email: invitation.email,
    role: invitation.role,
    territories: [...invitation.territories],
  });
  if (error) return failed(error);
  const parsed = createdSchema.safeParse(data);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: 'Unexpected answer' };
}

const openInvitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(['owner', 'admin', 'member', 'agent']),
  territories: z.array(z.string()),
  expires_at: z.string(),
});
export type OpenInvitation = z.infer<typeof openInvitationSchema>;

/** Invitations not yet accepted or withdrawn (owners and admins see them; others get none). */
export async function listOpenInvitations(
  supabase: SupabaseClient<Database>,
  organizationId: string,
): Promise<OpenInvitation[]> {
  const { data, error } = await supabase
    .from('invitations')
    .select('id,email,role,territories,expires_at')
    .eq('organization_id', organizationId)
    .is('accepted_at', null)
    .is('revoked_at', null)
    .order('created_at', { ascending: false });
  if (error) return [];
  return z.array(openInvitationSchema).catch([]).parse(data);
}

export async function revokeInvitation(supabase: SupabaseClient<Database>, invitationId: string): Promise<Outcome> {
  const { error } = await supabase.rpc('revoke_invitation', { invitation_id: invitationId });
  return error ? failed(error) : { ok: true, value: undefined };
}

const previewSchema = z.object({
  organizationName: z.string(),
  email: z.string(),
  role: z.enum(['owner', 'admin', 'member', 'agent']),
  territories: z.array(z.string()),
  invitedBy: z.string().nullable(),
  expiresAt: z.string(),
  state: z.enum(['pending', 'accepted', 'revoked', 'expired']),
});
export type InvitationPreview = z.infer<typeof previewSchema>;

/** What an invitation link shows; null for a token no invitation has. */
export async function previewInvitation(
  supabase: SupabaseClient<Database>,
  token: string,
): Promise<InvitationPreview | null> {
  const { data, error } = await supabase.rpc('invitation_preview', { token });
  if (error) throw new Error(`Could not read the invitation: ${error.message}`);
  const parsed = previewSchema.safeParse(data);
  return parsed.success ? parsed.data : null;
}

const acceptedSchema = z.object({ organizationId: z.string(), organizationName: z.string() });

export async function acceptInvitation(
  supabase: SupabaseClient<Database>,
  token: string,
): Promise<Outcome<z.infer<typeof acceptedSchema>>> {
  const { data, error } = await supabase.rpc('accept_invitation', { token });
  if (error) return failed(error);
  const parsed = acceptedSchema.safeParse(data);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: 'Unexpected answer' };
}
