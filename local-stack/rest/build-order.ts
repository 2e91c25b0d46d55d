import type { OrderTerm } from './api-request.ts';
import { fieldSql, type ColumnSource } from './column-source.ts';
import type { SqlParams } from './sql-params.ts';

/** ` order by …` or ''. */
export function orderSql(terms: readonly OrderTerm[], source: ColumnSource, params: SqlParams): string {
  if (terms.length === 0) return '';
  const parts = terms.map((t) => {
    let sql = fieldSql(source, t.field, params);
    if (t.direction) sql += ` ${t.direction}`;
    if (t.nulls) sql += t.nulls === 'nullsfirst' ? ' nulls first' : ' nulls last';
    return sql;
  });
  return ` order by ${parts.join(', ')}`;
}
