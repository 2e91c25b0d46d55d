import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { PUBLISHER_COLUMNS, publisherRowSchema, type PublisherRow } from '../realtime/index.ts';
import type { Database } from '../contract/index.ts';

/*
 * RATIONALE: the server-rendered first list and the live store read the same rows, so they parse
 * them with the one schema and column list of the realtime core; a column added there reaches the
 * first paint too.
 */

/** The publishers of `organizationId` the user may see (RLS decides), by name. */
export async function listPublishers(
  supabase: SupabaseClient<Database>,
  organizationId: string,
): Promise<PublisherRow[]> {
  const { data, error } = await supabase
    .from('publishers')
    .select(PUBLISHER_COLUMNS)
    .eq('organization_id', organizationId)
    .order('name');
  if (error) throw new Error(`Could not list publishers: ${error.message}`);
  return z.array(publisherRowSchema).parse(data);
}

/** One publisher, or null when it does not exist or the user may not see it. */
export async function getPublisher(supabase: SupabaseClient<Database>, id: string): Promise<PublisherRow | null> {
  const { data, error } = await supabase.from('publishers').select(PUBLISHER_COLUMNS).eq('id', id).maybeSingle();
  if (error) throw new Error(`Could not read publisher ${id}: ${error.message}`);
  return data === null ? null : publisherRowSchema.parse(data);
}
