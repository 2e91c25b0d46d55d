import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';

export const publisherRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  territory: z.string().nullable(),
  version: z.number().int(),
  custom_fields: z.record(z.string(), z.unknown()),
  updated_at: z.string(),
  updated_by: z.string().nullable(),
});
export type PublisherRow = z.infer<typeof publisherRowSchema>;

const COLUMNS = 'id, name, status, territory, version, custom_fields, updated_at, updated_by';

/** The publishers the user may see (RLS decides), by name. */
export async function listPublishers(supabase: SupabaseClient): Promise<PublisherRow[]> {
  const { data, error } = await supabase.from('publishers').select(COLUMNS).order('name');
  if (error) throw new Error(`Could not list publishers: ${error.message}`);
  return z.array(publisherRowSchema).parse(data);
}

/** One publisher, or null when it does not exist or the user may not see it. */
export async function getPublisher(supabase: SupabaseClient, id: string): Promise<PublisherRow | null> {
  const { data, error } = await supabase.from('publishers').select(COLUMNS).eq('id', id).maybeSingle();
  if (error) throw new Error(`Could not read publisher ${id}: ${error.message}`);
  return data === null ? null : publisherRowSchema.parse(data);
}
