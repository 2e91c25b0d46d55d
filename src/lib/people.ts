import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import type { Database } from '../contract/index.ts';

const nameRowSchema = z.object({ user_id: z.string(), display_name: z.string().nullable() });

/**
 * The display names of an organisation's people, read on the server for the first paint (so no
 * id ever flashes before the live roster loads); RLS decides who is listed.
 */
export async function listPeopleNames(
  supabase: SupabaseClient<Database>,
  organizationId: string,
): Promise<Readonly<Record<string, string>>> {
  const { data, error } = await supabase
    .from('organization_people')
    .select('user_id,display_name')
    .eq('organization_id', organizationId);
  if (error) throw new Error(`Could not read the people of the organisation: ${error.message}`);
  const names: Record<string, string> = {};
  for (const row of z.array(nameRowSchema).parse(data)) if (row.display_name) names[row.user_id] = row.display_name;
  return names;
}
