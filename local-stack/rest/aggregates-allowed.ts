import type { SelectItem } from './api-request.ts';
import { settingEnabled } from './in-database-config.ts';
import { PostgrestError } from './postgrest-error.ts';

function usesAggregates(select: readonly SelectItem[]): boolean {
  return select.some((item) =>
    item.kind === 'column' ? item.aggregate !== undefined : item.kind === 'embed' && usesAggregates(item.select),
  );
}

/**
 * PostgREST's aggregate functions (`col.sum()`, `count()`) are off unless the database enables
 * them as Supabase documents, through PostgREST's in-database configuration:
 * `alter role authenticator set pgrst.db_aggregates_enabled = 'true'`.
 */
export function checkAggregatesAllowed(settings: ReadonlyMap<string, string>, select: readonly SelectItem[]): void {
  if (usesAggregates(select) && !settingEnabled(settings, 'db_aggregates_enabled')) {
    throw new PostgrestError(400, 'PGRST123', 'Use of aggregate functions is not allowed');
  }
}
