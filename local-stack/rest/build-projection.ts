import type { EmbeddedQuery, SelectItem } from './api-request.ts';
import { orderSql } from './build-order.ts';
import { conditionSql } from './build-where.ts';
import { columnSql, fieldOutputName, fieldSql, ROW_ALIAS, tableSource, type ColumnSource } from './column-source.ts';
import { PostgrestError } from './postgrest-error.ts';
import { quoteIdent } from './quote-ident.ts';
import type { EmbedItem, EmbedPlan, Embedding } from './resolve-embed.ts';
import type { SqlParams } from './sql-params.ts';

/** json_build_object takes at most 100 arguments (Postgres's FUNC_MAX_ARGS), i.e. 50 key/value pairs. */
const MAX_SELECTED = 50;

export interface ProjectionOptions {
  /** `Accept: …;nulls=stripped`. */
  stripNulls?: boolean;
  /** The relationship of each embed item (see planEmbeds); without it an embed is refused. */
  embeds?: EmbedPlan;
  /** Filters, order and page per embed path (`publishers.name=eq.x`); the paths used are added to `used`. */
  embedded?: Readonly<Record<string, EmbeddedQuery>>;
  used?: Set<string>;
  /** Nesting level, for unique aliases of embedded relations. */
  depth?: number;
  /** The embed path of `source`, `''` at the top. */
  path?: string;
}

export interface Projection {
  /** A JSON value per row of `source` (per group, with aggregates). */
  sql: string;
  /** ` group by …` of the fields selected beside aggregates, or ''. */
  groupBy: string;
}

type ColumnItem = Extract<SelectItem, { kind: 'column' }>;

/**
 * An aggregate's SQL, or undefined for a plain field. A field named `count` that is no column is
 * Postgres's functional notation for `count(row)`: PostgREST answers `relation(count)` with the
 * number of rows that way, with or without aggregates enabled.
 */
function aggregateValue(item: ColumnItem, source: ColumnSource, params: SqlParams): string | undefined {
  const { field } = item;
  const bareCount =
    !item.aggregate &&
    field.name === 'count' &&
    field.path.length === 0 &&
    !source.columnNames.includes('count') &&
    !source.computed?.includes('count');
  if (!item.aggregate && !bareCount) return undefined;
  let value: string;
  if (bareCount || field.name === '*') {
    value = 'count(*)';
  } else {
    const input = fieldSql(source, field, params);
    value = `${item.aggregate}(${item.cast ? `(${input})::${item.cast}` : input})`;
  }
  return item.aggregateCast ? `(${value})::${item.aggregateCast}` : value;
}

/** `from … where …` of an embedded relation: joined on its foreign key, or a computed relationship's call. */
function embeddedFrom(
  embedding: Embedding,
  child: ColumnSource,
  parentAlias: string,
): { relation: string; join: string[] } {
  const { relationship } = embedding;
  if (relationship.kind === 'computed') {
    const call = `${quoteIdent(embedding.table.schema)}.${quoteIdent(relationship.function)}(${parentAlias})`;
    return { relation: `${call} as ${child.alias}`, join: [] };
  }
  return {
    relation: `${quoteIdent(embedding.table.schema)}.${quoteIdent(embedding.table.name)} as ${child.alias}`,
    join: relationship.columns.map(
      ([parent, column]) => `${child.alias}.${quoteIdent(column)} = ${parentAlias}.${quoteIdent(parent)}`,
    ),
  };
}

interface EmbedContext {
  child: ColumnSource;
  childOptions: ProjectionOptions;
  relation: string;
  /** Join and embedded-filter conditions. */
  clauses: string[];
  extra: EmbeddedQuery | undefined;
}

function embedContext(
  item: EmbedItem,
  embedding: Embedding,
  source: ColumnSource,
  params: SqlParams,
  options: ProjectionOptions,
): EmbedContext {
  const depth = (options.depth ?? 0) + 1;
  const path = `${options.path ?? ''}${item.alias ?? item.relation}`;
  const key = [path, `${options.path ?? ''}${item.relation}`].find((k) => options.embedded?.[k] !== undefined);
  if (key !== undefined) options.used?.add(key);
  const extra = key !== undefined ? options.embedded?.[key] : undefined;
  // PostgREST names an embedded relation `<table>_<depth>`; Postgres's 42703 messages quote it.
  const child = tableSource(embedding.table, `${embedding.table.name}_${depth}`, `pgrst_e${depth}`);
  const { relation, join } = embeddedFrom(embedding, child, source.alias ?? ROW_ALIAS);
  const conditions = (extra?.conditions ?? []).map((c) => conditionSql(c, child, params));
  return {
    child,
    childOptions: { ...options, depth, path: `${path}.` },
    relation,
    clauses: [...join, ...conditions],
    extra,
  };
}

function embeddingOf(item: EmbedItem, source: ColumnSource, options: ProjectionOptions): Embedding {
  const embedding = options.embeds?.get(item);
  if (!embedding) {
    throw new PostgrestError(
      400,
      'PGRST200',
      `Could not find a relationship between '${source.label}' and '${item.relation}' in the schema cache`,
    );
  }
  return embedding;
}

const whereOf = (clauses: readonly string[]) => (clauses.length > 0 ? ` where ${clauses.join(' and ')}` : '');

/**
 * The conditions `!inner` embeds add to the WHERE of `source`'s rows: an embedded row (that
 * passes the embed's own filters and inner embeds) must exist. Built on their own, before any
 * projection, so a count can share the statement's first parameters.
 */
export async function innerFilters(
  select: readonly SelectItem[],
  source: ColumnSource,
  params: SqlParams,
  options: ProjectionOptions = {},
): Promise<string[]> {
  const filters: string[] = [];
  for (const item of select) {
    if (item.kind !== 'embed' || !item.inner) continue;
    const context = embedContext(item, embeddingOf(item, source, options), source, params, options);
    const nested = await innerFilters(item.select, context.child, params, context.childOptions);
    filters.push(`exists (select 1 from ${context.relation}${whereOf([...context.clauses, ...nested])})`);
  }
  return filters;
}

async function embedSql(
  item: EmbedItem,
  embedding: Embedding,
  source: ColumnSource,
  params: SqlParams,
  options: ProjectionOptions,
): Promise<string> {
  const { child, childOptions, relation, clauses, extra } = embedContext(item, embedding, source, params, options);
  const nested = await innerFilters(item.select, child, params, childOptions);
  const inner = await projectionSql(item.select, child, params, childOptions);
  const where = whereOf([...clauses, ...nested]) + inner.groupBy;
  if (embedding.cardinality === 'one') return `(select ${inner.sql} from ${relation}${where})`;
  let paging = orderSql(extra?.order ?? [], child, params);
  if (extra?.limit !== undefined) paging += ` limit ${params.add(extra.limit)}`;
  if (extra?.offset) paging += ` offset ${params.add(extra.offset)}`;
  const depth = childOptions.depth!;
  return `(select coalesce(json_agg(pgrst_j${depth}.j), '[]'::json) from (select ${inner.sql} as j from ${relation}${where}${paging}) as pgrst_j${depth})`;
}

/**
 * One JSON object per row. `*` alone is `to_json(row)` (column order and Postgres's JSON types,
 * as PostgREST's `json_agg`); anything else is `json_build_object` whose keys — aliases and JSON
 * path keys, i.e. client text — are bound parameters, so no client text becomes SQL. Embeds are
 * correlated subqueries over the foreign key (or calls of a computed relationship's function),
 * so RLS applies to the embedded rows as well.
 */
export async function projectionSql(
  select: readonly SelectItem[],
  source: ColumnSource,
  params: SqlParams,
  options: ProjectionOptions = {},
): Promise<Projection> {
  const alias = source.alias ?? ROW_ALIAS;
  const wrap = (sql: string) => (options.stripNulls ? `json_strip_nulls(${sql})` : sql);
  if (select.length === 1 && select[0]?.kind === 'star') return { sql: wrap(`to_json(${alias})`), groupBy: '' };
  const pairs: string[] = [];
  // The plain values selected beside aggregates are what the rows are grouped by.
  const grouped: string[] = [];
  let aggregates = 0;
  for (const item of select) {
    if (item.kind === 'star') {
      for (const name of source.columnNames) {
        pairs.push(`${params.add(name)}::text, ${alias}.${quoteIdent(name)}`);
        grouped.push(`${alias}.${quoteIdent(name)}`);
      }
    } else if (item.kind === 'column') {
      const aggregate = aggregateValue(item, source, params);
      if (aggregate !== undefined) {
        aggregates++;
        pairs.push(`${params.add(item.alias ?? item.aggregate ?? 'count')}::text, ${aggregate}`);
      } else {
        const field = fieldSql(source, item.field, params);
        const value = item.cast ? `(${field})::${item.cast}` : field;
        pairs.push(`${params.add(fieldOutputName(item.field, item.alias))}::text, ${value}`);
        // Grouped by the column itself: JSON path keys are parameters, numbered anew in each clause.
        grouped.push(columnSql(source, item.field.name));
      }
    } else if (item.select.length > 0) {
      // `relation()` selects nothing: it is there to filter (with !inner) and stays out of the output.
      const embedding = embeddingOf(item, source, options);
      const value = await embedSql(item, embedding, source, params, options);
      pairs.push(`${params.add(item.alias ?? item.relation)}::text, ${value}`);
      // An embed depends on the parent's join columns (a computed relationship on the whole row).
      const { relationship } = embedding;
      if (relationship.kind === 'computed') grouped.push(alias);
      else grouped.push(...relationship.columns.map(([parent]) => `${alias}.${quoteIdent(parent)}`));
    } else {
      embeddingOf(item, source, options);
    }
  }
  if (pairs.length > MAX_SELECTED) {
    throw new PostgrestError(
      400,
      'PGRST100',
      `failed to parse select parameter: more than ${MAX_SELECTED} selected fields`,
    );
  }
  const groupBy = aggregates > 0 && grouped.length > 0 ? ` group by ${grouped.join(', ')}` : '';
  return { sql: wrap(`json_build_object(${pairs.join(', ')})`), groupBy };
}

/** PGRST108 for `x.col=…` when `x` is not embedded by the select. */
export function checkEmbeddedUsed(embedded: Readonly<Record<string, EmbeddedQuery>>, used: ReadonlySet<string>): void {
  const unused = Object.keys(embedded).find((k) => !used.has(k));
  if (unused !== undefined) {
    throw new PostgrestError(
      400,
      'PGRST108',
      `'${unused}' is not an embedded resource in this request`,
      null,
      `Verify that '${unused}' is included in the 'select' query parameter.`,
    );
  }
}
