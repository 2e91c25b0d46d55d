import type { Field } from './api-request.ts';
import { PostgrestError } from './postgrest-error.ts';
import { quoteIdent } from './quote-ident.ts';
import type { SqlParams } from './sql-params.ts';

/** The alias every statement gives the relation it reads or writes, so clauses can qualify columns. */
export const ROW_ALIAS = 'pgrst_t';

/** The columns a request may name: a table's, or a set-returning function's result columns. */
export interface ColumnSource {
  /** For messages: `column <label>.<name> does not exist`. */
  label: string;
  /** Catalog column names in order. */
  columnNames: readonly string[];
  /** The SQL alias of the relation; {@link ROW_ALIAS} unless it is an embedded one. */
  alias?: string;
}

/** The catalog's spelling of `name`, or Postgres's own 42703 error (PostgREST passes it through as 400). */
export function resolveColumn(source: ColumnSource, name: string): string {
  const found = source.columnNames.find((c) => c === name);
  if (found === undefined) {
    throw new PostgrestError(400, '42703', `column ${source.label}.${name} does not exist`);
  }
  return found;
}

/** SQL for a field: the quoted catalog column, then JSON path keys as bound parameters. */
export function fieldSql(source: ColumnSource, field: Field, params: SqlParams): string {
  let sql = `${source.alias ?? ROW_ALIAS}.${quoteIdent(resolveColumn(source, field.name))}`;
  for (const step of field.path) {
    const key = /^-?\d+$/.test(step.key) ? `${params.add(Number(step.key))}::int` : `${params.add(step.key)}::text`;
    sql = `(${sql} ${step.arrow} ${key})`;
  }
  return sql;
}

/** The JSON key PostgREST gives a selected field: the alias, else the last JSON key, else the column. */
export function fieldOutputName(field: Field, alias?: string): string {
  return alias ?? field.path.at(-1)?.key ?? field.name;
}
