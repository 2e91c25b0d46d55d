/**
 * What a `/rest/v1` request asks for, after parsing and before any SQL exists. Names in here are
 * still the client's text: they reach SQL only after the schema cache has matched them (see
 * build-*.ts), and values never do — they are bound parameters.
 */

export type JsonArrow = '->' | '->>';

/** A column, optionally followed by a JSON path (`custom_fields->address->>city`). */
export interface Field {
  name: string;
  path: readonly { arrow: JsonArrow; key: string }[];
}

export type SelectItem =
  | { kind: 'star' }
  | {
      kind: 'column';
      /** `{ name: '*' }` only with `aggregate: 'count'` (the `count()` item). */
      field: Field;
      alias?: string;
      cast?: CastType;
      /** `col.sum()`, `count()`: PostgREST's aggregate functions, allowed by `pgrst.db_aggregates_enabled`. */
      aggregate?: AggregateFunction;
      /** `col.sum()::text`: a cast of the aggregate's result. */
      aggregateCast?: CastType;
    }
  | {
      kind: 'embed';
      relation: string;
      alias?: string;
      hint?: string;
      inner: boolean;
      /** `...relation(...)`: parsed so its relationship is checked, then refused (the local stack has no spreads). */
      spread?: boolean;
      /** Empty for `relation()`: embedded for filtering only, absent from the output. */
      select: readonly SelectItem[];
    };

export const AGGREGATE_FUNCTIONS = ['count', 'sum', 'avg', 'max', 'min'] as const;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

/** Casts allowed in `select` (`id::text`): a fixed list, so a type name is never client text in SQL. */
export const CAST_TYPES = [
  'text',
  'varchar',
  'int',
  'int2',
  'int4',
  'int8',
  'integer',
  'smallint',
  'bigint',
  'numeric',
  'float4',
  'float8',
  'real',
  'bool',
  'boolean',
  'json',
  'jsonb',
  'uuid',
  'date',
  'time',
  'timestamp',
  'timestamptz',
] as const;
export type CastType = (typeof CAST_TYPES)[number];

/** Operators that compare with one value (and accept `(any)`/`(all)` with an array literal). */
export const QUANTIFIABLE_OPERATORS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'like',
  'ilike',
  'match',
  'imatch',
] as const;
/** Operators that take one value and no quantifier. */
export const SIMPLE_OPERATORS = ['isdistinct', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxl', 'nxr', 'adj'] as const;
export const FTS_OPERATORS = ['fts', 'plfts', 'phfts', 'wfts'] as const;

export type QuantifiableOperator = (typeof QUANTIFIABLE_OPERATORS)[number];
export type SimpleOperator = (typeof SIMPLE_OPERATORS)[number];
export type FtsOperator = (typeof FTS_OPERATORS)[number];
export type IsValue = 'null' | 'not_null' | 'true' | 'false' | 'unknown';

export type Operation =
  | { op: QuantifiableOperator; quantifier?: 'any' | 'all'; value: string }
  | { op: SimpleOperator; value: string }
  | { op: FtsOperator; language?: string; value: string }
  | { op: 'in'; values: readonly string[] }
  | { op: 'is'; value: IsValue };

export type Filter = { kind: 'filter'; field: Field; negated: boolean } & Operation;

export interface LogicTree {
  kind: 'and' | 'or';
  negated: boolean;
  conditions: readonly Condition[];
}

export type Condition = Filter | LogicTree;

export interface OrderTerm {
  field: Field;
  direction?: 'asc' | 'desc';
  nulls?: 'nullsfirst' | 'nullslast';
}

/** Filters, order and page of one embedded resource (`publishers.name=eq.x`, `publishers.order=name`). */
export interface EmbeddedQuery {
  conditions: Condition[];
  order: OrderTerm[];
  limit?: number;
  offset?: number;
}

/** The parsed query string of a table or rpc request. */
export interface ApiQuery {
  select: readonly SelectItem[];
  /** Top-level conditions, AND-ed. */
  conditions: readonly Condition[];
  order: readonly OrderTerm[];
  limit?: number;
  offset?: number;
  /** `columns=` of an insert/upsert. */
  columns?: readonly string[];
  /** `on_conflict=` of an upsert. */
  onConflict?: readonly string[];
  /** Query parameters left over for a GET rpc call (its arguments). */
  rpcArgs: Record<string, string>;
  /** Per embedded resource, keyed by its path of aliases/relation names joined with `.`. */
  embedded: Record<string, EmbeddedQuery>;
}

export interface Preferences {
  return?: 'minimal' | 'representation' | 'headers-only';
  count?: 'exact' | 'planned' | 'estimated';
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
  missing?: 'default' | 'null';
  tx?: 'commit' | 'rollback';
  /** `handling=strict` turns some ignored preferences into refusals. */
  handling?: 'strict' | 'lenient';
  /** `max-affected=N`: with `handling=strict`, an update or delete touching more rows is refused. */
  maxAffected?: number;
}
