import type { Database } from '../../db/index.ts';
import { isRecord, type Change, type Subscriber } from './engine-types.ts';
import type { ColumnFilter } from './parse-subscription.ts';
import { tableKey, type ColumnInfo, type TableInfo } from './table-catalog.ts';

export const TEXT_OID = 25;
export const JSONB_OID = 3802;

/** A subscriber's bindings that a change satisfied, grouped by their `select` (one payload each). */
export interface Match {
  subscriber: Subscriber;
  groups: Map<string, { select: string[] | null; ids: number[] }>;
}

/**
 * The subscribers a change reaches and through which bindings (§5.1): table, event, then the
 * filters, each distinct filter set evaluated once per change by Postgres's own operators.
 */
export async function matchChange(
  db: Database,
  change: Change,
  table: TableInfo,
  subscribers: Iterable<Subscriber>,
  onError: (error: unknown) => void,
): Promise<Match[]> {
  const key = tableKey(table.schema, table.table);
  // §5.1: DELETE is matched against the old identity columns, everything else against the new row.
  const filterRow =
    change.type === 'DELETE' ? identityOf(change.old_record ?? {}, table.columns) : (change.record ?? {});
  const filterResults = new Map<string, Promise<boolean>>();
  const passes = (filters: readonly ColumnFilter[]): Promise<boolean> => {
    if (filters.length === 0) return Promise.resolve(true);
    const cacheKey = JSON.stringify(filters);
    let result = filterResults.get(cacheKey);
    if (!result) {
      result = evaluateFilters(db, filters, filterRow, table.columns).catch((error: unknown) => {
        onError(error);
        return false;
      });
      filterResults.set(cacheKey, result);
    }
    return result;
  };

  const matches: Match[] = [];
  for (const subscriber of subscribers) {
    const groups: Match['groups'] = new Map();
    for (const binding of subscriber.bindings) {
      if (!binding.tables.has(key)) continue;
      if (binding.params.action !== '*' && binding.params.action !== change.type) continue;
      if (!(await passes(binding.params.filters))) continue;
      const selectKey = JSON.stringify(binding.params.select);
      const group = groups.get(selectKey) ?? { select: binding.params.select, ids: [] };
      if (!group.ids.includes(binding.id)) group.ids.push(binding.id);
      groups.set(selectKey, group);
    }
    if (groups.size > 0) matches.push({ subscriber, groups });
  }
  return matches;
}

async function evaluateFilters(
  db: Database,
  filters: readonly ColumnFilter[],
  row: Record<string, unknown>,
  columns: ColumnInfo[],
): Promise<boolean> {
  const checks: Array<{ op: string; type: number; value_1: string | null; value_2: string; negate: boolean }> = [];
  for (const filter of filters) {
    const path = jsonPath(filter.column);
    if (path === 'invalid') return false;
    const name = path?.base ?? filter.column;
    const column = columns.find((c) => c.name === name);
    // §5.1: a condition on a column absent from the change row fails.
    if (!column || !Object.hasOwn(row, name)) return false;
    const value = row[name];
    if (path) {
      // `col->>key` compares the key's text (`->>` of a non-object is NULL).
      const inner = isRecord(value) && Object.hasOwn(value, path.key) ? value[path.key] : null;
      checks.push({
        op: filter.op,
        type: TEXT_OID,
        value_1: jsonText(inner),
        value_2: filter.value,
        negate: filter.negate,
      });
    } else {
      checks.push({
        op: filter.op,
        type: column.typeOid,
        value_1: jsonText(value),
        value_2: filter.value,
        negate: filter.negate,
      });
    }
  }
  const { rows } = await db.query<{ ok: boolean }>('select pubdev_local.check_filters($1::jsonb) as ok', [
    JSON.stringify(checks),
  ]);
  return rows[0]?.ok === true;
}

function identityOf(row: Record<string, unknown>, columns: readonly ColumnInfo[]): Record<string, unknown> {
  return Object.fromEntries(
    columns.filter((c) => c.identity && Object.hasOwn(row, c.name)).map((c) => [c.name, row[c.name]]),
  );
}

/**
 * `custom_fields->>genre` filters (realtime's `subscription_check_filters`): the column part
 * must be a jsonb column, the key is trimmed of spaces and quotes; only one `->>` is allowed.
 */
export function jsonPath(column: string): { base: string; key: string } | 'invalid' | null {
  const parts = column.split('->>');
  if (parts.length === 1) return null;
  const base = parts[0]!;
  const key = (parts[1] ?? '').replace(/^[ "]+|[ "]+$/g, '');
  if (parts.length > 2 || base === '' || key === '') return 'invalid';
  return { base, key };
}

/** `jsonb #>> '{}'`: the text a JSON value casts from. */
function jsonText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
