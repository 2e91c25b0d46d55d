import type { ApiRole } from '../../db/index.ts';
import type { Change } from './engine-types.ts';
import type { ColumnInfo, TableInfo } from './table-catalog.ts';

/** §8.1 `poll_max_record_bytes`: beyond it only fields ≤ 64 bytes are sent, with error 413 (§5.3). */
const MAX_RECORD_BYTES = 1_048_576;
const MAX_FIELD_BYTES_WHEN_TOO_LARGE = 64;

/** The §5.3 `data` for a subscriber of `role`, restricted to the columns it may select. */
export function changeData(
  change: Change,
  table: TableInfo,
  role: ApiRole,
  select: readonly string[] | null,
): Record<string, unknown> {
  const shown = table.columns.filter((c) => c.selectable[role] && (select === null || c.pk || select.includes(c.name)));
  const tooLarge = JSON.stringify(change.record ?? change.old_record ?? {}).length > MAX_RECORD_BYTES;
  const pick = (row: Record<string, unknown>, columns: readonly ColumnInfo[]) => {
    const out: Record<string, unknown> = {};
    for (const c of columns) {
      if (!Object.hasOwn(row, c.name)) continue;
      const value = row[c.name];
      if (tooLarge && (JSON.stringify(value) ?? '').length > MAX_FIELD_BYTES_WHEN_TOO_LARGE) continue;
      out[c.name] = value;
    }
    return out;
  };
  const data: Record<string, unknown> = {
    schema: table.schema,
    table: table.table,
    commit_timestamp: change.commit_timestamp,
    type: change.type,
    columns: shown.map((c) => ({ name: c.name, type: c.type })),
  };
  if (change.type !== 'DELETE') data.record = pick(change.record ?? {}, shown);
  if (change.type === 'UPDATE')
    data.old_record = pick(
      change.old_record ?? {},
      shown.filter((c) => c.identity),
    );
  if (change.type === 'DELETE') {
    // §5.3 / §5.5: DELETEs skip RLS, so on an RLS table the old row is cut down to its primary key.
    data.old_record = pick(
      change.old_record ?? {},
      shown.filter((c) => c.identity && (!table.rls || c.pk)),
    );
  }
  data.errors = tooLarge ? ['Error 413: Payload Too Large'] : null;
  return data;
}

/** What Realtime's poller makes of an error row: no columns, no timestamp, empty records (§5.3). */
export function errorData(change: Change, errors: string[]): Record<string, unknown> {
  const data: Record<string, unknown> = {
    schema: change.schema_name,
    table: change.table_name,
    commit_timestamp: null,
    type: change.type,
    columns: [],
  };
  if (change.type !== 'DELETE') data.record = {};
  if (change.type !== 'INSERT') data.old_record = {};
  data.errors = errors;
  return data;
}
