import type { Queryable } from '../db/index.ts';
import type { ApiQuery, Preferences } from './api-request.ts';
import { orderSql } from './build-order.ts';
import { countRows } from './count-rows.ts';
import { checkEmbeddedUsed, innerFilters, projectionSql } from './build-projection.ts';
import { whereSql } from './build-where.ts';
import { ROW_ALIAS, tableSource } from './column-source.ts';
import { PostgrestError } from './postgrest-error.ts';
import { quoteIdent } from './quote-ident.ts';
import { createEmbedResolver, planEmbeds } from './resolve-embed.ts';
import {
  ARRAY_CONTENT_TYPE,
  contentRange,
  OBJECT_CONTENT_TYPE,
  type Representation,
  type RestResponse,
} from './rest-response.ts';
import type { TableInfo } from './schema-cache.ts';
import type { SchemaCatalog } from './schema-catalog.ts';
import { SqlParams } from './sql-params.ts';

export interface Page {
  offset: number;
  limit?: number;
}

export interface AggregatedRows {
  n: number;
  body: string;
  item: string | null;
  total?: number | null;
}

/** `select count, json_agg, first` over a subquery yielding one JSON value `j` per row. */
export function aggregateSql(subquery: string, extra = ''): string {
  return `select count(*)::int as n, coalesce(json_agg(pgrst_r.j), '[]')::text as body, (json_agg(pgrst_r.j) -> 0)::text as item${extra} from (${subquery}) pgrst_r`;
}

/** Adds conditions (from `!inner` embeds) to a ` where …` clause or to none. */
export function withFilters(where: string, filters: readonly string[]): string {
  if (filters.length === 0) return where;
  return `${where ? `${where} and` : ' where'} ${filters.join(' and ')}`;
}

export function singularError(rows: number): PostgrestError {
  return new PostgrestError(
    406,
    'PGRST116',
    'Cannot coerce the result to a single JSON object',
    `The result contains ${rows} rows`,
  );
}

export function relationSql(table: TableInfo): string {
  return `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
}

/** What a read (GET/HEAD on a table, or an `/rpc` call) asks for, and the schema cache it resolves embeds in. */
export interface ReadRequest {
  query: ApiQuery;
  prefer: Preferences;
  representation: Representation;
  page: Page;
  head: boolean;
  catalog: SchemaCatalog;
}

/** GET/HEAD on a table or view: filters, order, page, optional exact count, as the JWT's role. */
export async function readTable(tx: Queryable, table: TableInfo, request: ReadRequest): Promise<RestResponse> {
  const { query, prefer, representation, page } = request;
  const source = tableSource(table);
  const params = new SqlParams();
  const relation = `${relationSql(table)} as ${ROW_ALIAS}`;
  const used = new Set<string>();
  const options = {
    stripNulls: representation.stripNulls,
    embeds: await planEmbeds(query.select, table.name, table.name, createEmbedResolver(request.catalog, table.schema)),
    embedded: query.embedded,
    used,
  };
  // The WHERE first: its parameters come first, so the count statement can take just those.
  const where = withFilters(
    whereSql(query.conditions, source, params),
    await innerFilters(query.select, source, params, options),
  );
  const whereParams = params.values.length;
  const projection = await projectionSql(query.select, source, params, options);
  checkEmbeddedUsed(query.embedded, used);
  let paging = orderSql(query.order, source, params);
  if (page.limit !== undefined) paging += ` limit ${params.add(page.limit)}`;
  if (page.offset > 0) paging += ` offset ${params.add(page.offset)}`;
  const counted = prefer.count !== undefined;
  const { rows } = await tx.query<AggregatedRows>(
    aggregateSql(`select ${projection.sql} as j from ${relation}${where}${projection.groupBy}${paging}`),
    params.values,
  );
  const result = rows[0] ?? { n: 0, body: '[]', item: null };
  const count = prefer.count
    ? await countRows(tx, prefer.count, `${relation}${where}`, params.values.slice(0, whereParams))
    : undefined;

  if (count !== undefined && page.offset > count) {
    throw new PostgrestError(
      416,
      'PGRST103',
      'Requested range not satisfiable',
      `An offset of ${page.offset} was requested, but there are only ${count} rows.`,
      null,
      {
        'content-range': `*/${count}`,
      },
    );
  }
  if (representation.singular && result.n !== 1) throw singularError(result.n);
  const status = count !== undefined && result.n < count ? 206 : 200;
  const headers: Record<string, string> = {
    'content-type': representation.singular ? OBJECT_CONTENT_TYPE : ARRAY_CONTENT_TYPE,
    'content-range': contentRange(page.offset, result.n, count),
  };
  if (counted) headers['preference-applied'] = `count=${prefer.count}`;
  if (request.head) return { status, headers };
  return { status, headers, body: representation.singular ? (result.item ?? 'null') : result.body };
}
