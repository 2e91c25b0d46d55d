import { isPostgresError, quoteIdent, withClaims, type Database, type JwtClaims } from '../../db/index.ts';
import type { Change } from './engine-types.ts';
import type { TableInfo } from './table-catalog.ts';

export type Visibility = 'visible' | 'hidden' | 'error';

/**
 * Whether the holder of `claims` may see the changed row (§5.5 `apply_rls`): the row is looked up
 * by its primary key as that role, in a transaction that is rolled back.
 */
export async function checkVisibility(
  db: Database,
  claims: JwtClaims,
  change: Change,
  table: TableInfo,
): Promise<Visibility> {
  const pk = table.columns.filter((c) => c.pk);
  const record = change.record ?? {};
  const keyValues = Object.fromEntries(pk.map((c) => [c.name, record[c.name] ?? null]));
  const relation = `${quoteIdent(table.schema)}.${quoteIdent(table.table)}`;
  // The key values go in as one bound jsonb, typed back into the table's row type by
  // jsonb_populate_record; identifiers come from the catalog, quoted.
  const sql = `select exists (
      select 1 from ${relation} t, jsonb_populate_record(null::${relation}, $1::jsonb) k
       where ${pk.map((c) => `t.${quoteIdent(c.name)} = k.${quoteIdent(c.name)}`).join(' and ')}
    ) as visible`;
  try {
    const visible = await withClaims(
      db,
      claims,
      async (tx) => (await tx.query<{ visible: boolean }>(sql, [JSON.stringify(keyValues)])).rows[0]?.visible === true,
      { rollback: true },
    );
    return visible ? 'visible' : 'hidden';
  } catch (error) {
    // §5.5 / apply_rls: a policy that raises only affects this subscriber, who gets error 500.
    if (isPostgresError(error)) return 'error';
    throw error;
  }
}
