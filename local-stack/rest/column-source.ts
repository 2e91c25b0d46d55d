import type { Field } from './api-request.ts';
import { PostgrestError } from './postgrest-error.ts';
import { quoteIdent } from './quote-ident.ts';
import type { TableInfo } from './schema-cache.ts';
import type { SqlParams } from './sql-params.ts';

/** The alias every statement gives the relation it reads or writes, so clauses can qualify columns. */
export const ROW_ALIAS = 'pgrst_t';

/** The columns a request may name: a table's, or a set-returning function's result columns. */
export interface ColumnSource {
  /**
   * The relation as PostgREST's SQL names it, for Postgres's message `column <label>.<name> does
   * not exist`: the table at the top, `<table>_<depth>` when embedded.
   */
  label: string;
  /** Catalog column names in order. */
  columnNames: readonly string[];
  /** Computed fields: functions `<schema>.f(<row type>)` usable like columns (never in `*`). */
  computed?: readonly string[];
  /** The schema of the relation and of its computed fields. */
  schema?: string;
  /** The table or view whose rows these are, for embedding from them; none for a function's own result columns. */
  relation?: string;
  /** The SQL alias of the relation; {@link ROW_ALIAS} unless it is an embedded one. */
  alias?: string;
}

function unknownColumn(source: ColumnSource, name: string): PostgrestError {
  return new PostgrestError(400, '42703', `column ${source.label}.${name} does not exist`);
}

/** The catalog's spelling of `name`, or Postgres's own 42703 error (PostgREST passes it through as 400). */
export function resolveColumn(source: ColumnSource, name: string): string {
  const found = source.columnNames.find((c) => c === name);
  if (found === undefined) throw unknownColumn(source, name);
  return found;
}

/**
 * SQL for a column or a computed field (`public.f(row)`, what Postgres's `row.f` means), by its
 * catalog spelling — request text never becomes an identifier unmatched.
 */
export function columnSql(source: ColumnSource, name: string): string {
  const alias = source.alias ?? ROW_ALIAS;
  const column = source.columnNames.find((c) => c === name);
  if (column !== undefined) return `${alias}.${quoteIdent(column)}`;
  const computed = source.computed?.find((c) => c === name);
  if (computed !== undefined && source.schema !== undefined)
    return `${quoteIdent(source.schema)}.${quoteIdent(computed)}(${alias})`;
  throw unknownColumn(source, name);
}

/** SQL for a field: the quoted catalog column, then JSON path keys as bound parameters. */
export function fieldSql(source: ColumnSource, field: Field, params: SqlParams): string {
  let sql = columnSql(source, field.name);
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

/** A table or view as a column source: its columns, its computed fields, and its name for embedding. */
export function tableSource(table: TableInfo, label: string = table.name, alias?: string): ColumnSource {
  return {
    label,
    columnNames: table.columnNames,
    computed: table.computed,
    schema: table.schema,
    relation: table.name,
    ...(alias !== undefined ? { alias } : {}),
  };
}
