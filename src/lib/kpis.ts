import type { SupabaseClient } from '@supabase/supabase-js';
import { KPI_COLUMNS, kpiRowSchema, kpisFromRow, type Kpis } from '../realtime/index.ts';
import type { Database } from '../contract/index.ts';

/**
 * The dashboard's KPIs for the server's first render (the row the live store reads, parsed the
 * same way), or null when the view has no row for the user; the tiles then wait for the live read.
 */
export async function readKpis(supabase: SupabaseClient<Database>, organizationId: string): Promise<Kpis | null> {
  const { data, error } = await supabase
    .from('dashboard_kpis')
    .select(KPI_COLUMNS)
    .eq('organization_id', organizationId)
    .maybeSingle();
  if (error) throw new Error(`Could not read the KPIs: ${error.message}`);
  const row = kpiRowSchema.safeParse(data);
  return row.success ? kpisFromRow(row.data) : null;
}
