import type { EmbeddedQuery, SelectItem } from './api-request.ts';
import { orderSql } from './build-order.ts';
import { conditionSql } from './build-where.ts';
import { fieldOutputName, fieldSql, resolveColumn, ROW_ALIAS, type ColumnSource } from './column-source.ts';
import { PostgrestError } from './postgrest-error.ts';
import { quoteIdent } from './quote-ident.ts';
import type { EmbedResolver } from './resolve-embed.ts';
import { EXPOSED_SCHEMA } from './schema-cache.ts';
import type { SqlParams } from './sql-params.ts';

/** json_build_object takes at most 100 arguments (Postgres's FUNC_MAX_ARGS), i.e. 50 key/value pairs. */
const MAX_SELECTED = 50;

export interface ProjectionOptions {
  /** `Accept: …;nulls=stripped`. */
  stripNulls?: boolean;
  /** Resolves `relation(...)` items; without it an embed is refused (rpc results have no foreign keys). */
  embeds?: EmbedResolver;
  /** Filters, order and page per embed path (`publishers.name=eq.x`); the paths used are added to `used`. */
  embedded?: Readonly<Record<string, EmbeddedQuery>>;
  used?: Set<string>;
  /** Nesting level, for unique aliases of embedded relations. */
  depth?: number;
  /** The embed path of `source`, `''` at the top. */
  path?: string;
}

export interface Projection {
  /** A JSON value per row of `source`. */
  sql: string;
  /** Conditions `!inner` embeds add to the parent's WHERE. */
  filters: string[];
}

/**
 * One JSON object per row. `*` alone is `to_json(row)` (column order and Postgres's JSON types,
 * as PostgREST's `json_agg`); anything else is `json_build_object` whose keys — aliases and JSON
 * path keys, i.e. client text — are bound parameters, so no client text becomes SQL. Embeds are
 * correlated subqueries over the foreign key, so RLS applies to the embedded rows as well.
 */
export async function projectionSql(
  select: readonly SelectItem[],
  source: ColumnSource,
  params: SqlParams,
  options: ProjectionOptions = {},
): Promise<Projection> {
  const alias = source.alias ?? ROW_ALIAS;
  const wrap = (sql: string) => (options.stripNulls ? `json_strip_nulls(${sql})` : sql);
  if (select.length === 1 && select[0]?.kind === 'star') return { sql: wrap(`to_json(${alias})`), filters: [] };
  const pairs: string[] = [];
  const filters: string[] = [];
  for (const item of select) {
    if (item.kind === 'star') {
      for (const name of source.columnNames)
        pairs.push(`${params.add(name)}::text, ${alias}.${quoteIdent(resolveColumn(source, name))}`);
    } else if (item.kind === 'column') {
      const value = fieldSql(source, item.field, params);
      pairs.push(
        `${params.add(fieldOutputName(item.field, item.alias))}::text, ${item.cast ? `(${value})::${item.cast}` : value}`,
      );
    } else {
      if (!options.embeds) {
        throw new PostgrestError(
          400,
          'PGRST200',
          `Could not find a relationship between '${source.label}' and '${item.relation}' in the schema cache`,
        );
      }
      const relationship = await options.embeds(source.label, item);
      const depth = (options.depth ?? 0) + 1;
      const path = `${options.path ?? ''}${item.alias ?? item.relation}`;
      const key = [path, `${options.path ?? ''}${item.relation}`].find((k) => options.embedded?.[k] !== undefined);
      if (key !== undefined) options.used?.add(key);
      const extra = key !== undefined ? options.embedded?.[key] : undefined;
      const child: ColumnSource = {
        label: relationship.table.name,
        columnNames: relationship.table.columnNames,
        alias: `pgrst_e${depth}`,
      };
      const inner = await projectionSql(item.select, child, params, { ...options, depth, path: `${path}.` });
      const relation = `${quoteIdent(EXPOSED_SCHEMA)}.${quoteIdent(relationship.table.name)} as ${child.alias}`;
      const join = relationship.pairs.map(
        ([parent, column]) => `${child.alias}.${quoteIdent(column)} = ${alias}.${quoteIdent(parent)}`,
      );
      const conditions = (extra?.conditions ?? []).map((c) => conditionSql(c, child, params));
      const where = [...join, ...conditions, ...inner.filters].join(' and ');
      let value: string;
      if (relationship.cardinality === 'one') {
        value = `(select ${inner.sql} from ${relation} where ${where})`;
      } else {
        let paging = orderSql(extra?.order ?? [], child, params);
        if (extra?.limit !== undefined) paging += ` limit ${params.add(extra.limit)}`;
        if (extra?.offset) paging += ` offset ${params.add(extra.offset)}`;
        value = `(select coalesce(json_agg(pgrst_j${depth}.j), '[]'::json) from (select ${inner.sql} as j from ${relation} where ${where}${paging}) as pgrst_j${depth})`;
      }
      pairs.push(`${params.add(item.alias ?? item.relation)}::text, ${value}`);
      if (item.inner) filters.push(`exists (select 1 from ${relation} where ${where})`);
    }
  }
  if (pairs.length > MAX_SELECTED) {
    throw new PostgrestError(
      400,
      'PGRST100',
      `failed to parse select parameter: more than ${MAX_SELECTED} selected fields`,
    );
  }
  return { sql: wrap(`json_build_object(${pairs.join(', ')})`), filters };
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
