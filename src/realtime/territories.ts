import type { CoreContext } from './core-context.ts';

/**
 * The territories whose topics the user may join: a restricted member's own list, otherwise
 * every territory of the organisation's publishers the user can read. Asking the tables (under
 * RLS) rather than guessing keeps a refused join — and its CHANNEL_ERROR loop — from ever happening.
 */
export async function readableTerritories(ctx: CoreContext): Promise<readonly string[]> {
  const userId = await ctx.ready;
  if (userId === null) return [];
  const member = await ctx.supabase
    .from('organization_members')
    .select('role,territories')
    .eq('organization_id', ctx.organizationId)
    .eq('user_id', userId)
    .maybeSingle();
  const row = member.data as { role?: string; territories?: unknown } | null;
  const own = Array.isArray(row?.territories) ? row.territories.filter((t): t is string => typeof t === 'string') : [];
  const restricted = own.length > 0 && row?.role !== 'owner' && row?.role !== 'admin';
  if (restricted) return own;
  const { data } = await ctx.supabase.from('publishers').select('territory').eq('organization_id', ctx.organizationId);
  const all = new Set<string>();
  for (const item of (data ?? []) as { territory?: unknown }[]) if (typeof item.territory === 'string') all.add(item.territory);
  return [...all].sort();
}
