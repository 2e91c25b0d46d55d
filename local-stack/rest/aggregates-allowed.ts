import type { Queryable } from '../db/index.ts';
import type { SelectItem } from './api-request.ts';
import { PostgrestError } from './postgrest-error.ts';

function usesAggregates(select: readonly SelectItem[]): boolean {
  return select.some((item) =>
    item.kind === 'column' ? item.aggregate !== undefined : item.kind === 'embed' && usesAggregates(item.select),
  );
}

/**
 * PostgREST's aggregate functions (`col.sum()`, `count()`) are off unless the database enables
 * them as Supabase documents, through PostgREST's in-database configuration:
 * `alter role authenticator set pgrst.db_aggregates_enabled = 'true'`. Read per request that
 * uses one, so a change applies at once (PostgREST needs `notify pgrst, 'reload config'`).
 */
export async function checkAggregatesAllowed(tx: Queryable, select: readonly SelectItem[]): Promise<void> {
  if (!usesAggregates(select)) return;
  const { rows } = await tx.query<{ enabled: boolean }>(
    `select exists (
       select from pg_db_role_setting s join pg_roles r on r.oid = s.setrole, unnest(s.setconfig) as c(setting)
        where r.rolname = 'authenticator'
          and s.setdatabase in (0, (select oid from pg_database where datname = current_database()))
          and lower(c.setting) in ('pgrst.db_aggregates_enabled=true', 'pgrst.db_aggregates_enabled=on')
     ) as enabled`,
  );
  if (!rows[0]?.enabled) throw new PostgrestError(400, 'PGRST123', 'Use of aggregate functions is not allowed');
}
