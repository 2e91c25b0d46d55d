import type { Queryable } from '../db/index.ts';
import type { Preferences } from './api-request.ts';

/**
 * Supabase's `db-max-rows` default. PostgREST's `count=estimated` counts exactly up to this many
 * rows and asks the planner beyond it.
 */
const ESTIMATE_THRESHOLD = 1000;

/** The planner's row estimate for `select 1 from …` (PostgREST's `count=planned`). */
async function plannedCount(tx: Queryable, fromWhere: string, params: readonly unknown[]): Promise<number> {
  const { rows } = await tx.query<Record<string, unknown>>(`explain (format json) select 1 from ${fromWhere}`, params);
  const plan = rows[0]?.['QUERY PLAN'];
  const parsed: unknown = typeof plan === 'string' ? JSON.parse(plan) : plan;
  const estimate = Array.isArray(parsed) ? (parsed[0] as { Plan?: { 'Plan Rows'?: unknown } })?.Plan?.['Plan Rows'] : 0;
  return typeof estimate === 'number' ? Math.round(estimate) : 0;
}

/**
 * The total of `Content-Range` for `Prefer: count=…`: `exact` counts, `planned` asks the planner
 * (whose guess for a table never analysed is rough, as on Supabase), `estimated` counts up to
 * the threshold and takes the larger of that and the planner's guess beyond it.
 */
export async function countRows(
  tx: Queryable,
  count: NonNullable<Preferences['count']>,
  fromWhere: string,
  params: readonly unknown[],
): Promise<number> {
  if (count === 'planned') return plannedCount(tx, fromWhere, params);
  const limit = count === 'estimated' ? ` limit ${ESTIMATE_THRESHOLD + 1}` : '';
  const { rows } = await tx.query<{ n: number }>(
    `select count(*)::int as n from (select 1 from ${fromWhere}${limit}) pgrst_c`,
    params,
  );
  const exact = rows[0]?.n ?? 0;
  if (count === 'estimated' && exact > ESTIMATE_THRESHOLD)
    return Math.max(exact, await plannedCount(tx, fromWhere, params));
  return exact;
}
