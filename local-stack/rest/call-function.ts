import type { Queryable } from '../db/index.ts';
import type { Preferences } from './api-request.ts';
import { orderSql } from './build-order.ts';
import { checkEmbeddedUsed, innerFilters, projectionSql } from './build-projection.ts';
import { whereSql } from './build-where.ts';
import { takesWholeBody } from './choose-function.ts';
import { ROW_ALIAS, tableSource, type ColumnSource } from './column-source.ts';
import { checkMaxAffected } from './max-affected.ts';
import { PostgrestError } from './postgrest-error.ts';
import { quoteIdent } from './quote-ident.ts';
import { aggregateSql, singularError, withFilters, type AggregatedRows, type ReadRequest } from './read-table.ts';
import { createEmbedResolver, planEmbeds } from './resolve-embed.ts';
import { ARRAY_CONTENT_TYPE, contentRange, OBJECT_CONTENT_TYPE, type RestResponse } from './rest-response.ts';
import type { FunctionInfo } from './schema-cache.ts';
import { SqlParams } from './sql-params.ts';

/**
 * The call and its FROM items. Named arguments come in as one JSON object converted by
 * `json_to_record` with the argument types from the catalog, so values stay bound parameters; a
 * function with one unnamed parameter gets the whole body, cast to that parameter's type.
 */
function callSql(fn: FunctionInfo, args: Record<string, unknown>, params: SqlParams): { call: string; from: string } {
  const callee = `${quoteIdent(fn.schema)}.${quoteIdent(fn.name)}`;
  if (takesWholeBody(fn))
    return { call: `${callee}(${params.add(JSON.stringify(args))}::${fn.args[0]!.type})`, from: '' };
  const given = fn.args.filter((a) => a.name !== '' && a.name in args);
  if (given.length === 0) return { call: `${callee}()`, from: '' };
  // Argument types come from format_type() in the catalog, never from the request.
  const definitions = given.map((a) => `${quoteIdent(a.name)} ${a.type}`).join(', ');
  return {
    call: `${callee}(${given.map((a) => `${quoteIdent(a.name)} := pgrst_args.${quoteIdent(a.name)}`).join(', ')})`,
    from: ` from json_to_record(${params.add(JSON.stringify(args))}::json) as pgrst_args(${definitions})`,
  };
}

/** `Prefer: handling=strict, max-affected=N` needs a set to count: PGRST128 for a function returning one value. */
function checkMaxAffectedApplies(fn: FunctionInfo, prefer: Preferences): void {
  if (prefer.handling === 'strict' && prefer.maxAffected !== undefined && !fn.returns_set) {
    throw new PostgrestError(
      400,
      'PGRST128',
      'Function must return SETOF or TABLE when max-affected preference is used with handling=strict',
    );
  }
}

/**
 * POST (or GET) /rpc/<fn>. Results as PostgREST returns them: a scalar as JSON, a composite as an
 * object, a set as an array (filterable, orderable, countable), void as 204. A function returning
 * a table's or view's rows can embed from them and select their computed fields.
 */
export async function callFunction(
  tx: Queryable,
  fn: FunctionInfo,
  args: Record<string, unknown>,
  request: ReadRequest,
): Promise<RestResponse> {
  const { query, prefer, representation, page } = request;
  checkMaxAffectedApplies(fn, prefer);
  const params = new SqlParams();
  const { call, from } = callSql(fn, args, params);

  if (!fn.returns_set && fn.return_type === 'void') {
    checkEmbeddedUsed(query.embedded, new Set());
    await tx.query(`select ${call}${from}`, params.values);
    return { status: 204, headers: {} };
  }
  if (!fn.returns_set && fn.return_kind !== 'c') {
    checkEmbeddedUsed(query.embedded, new Set());
    const { rows } = await tx.query<{ body: string | null }>(
      `select to_json(${call})::text as body${from}`,
      params.values,
    );
    const body = rows[0]?.body ?? 'null';
    const headers = {
      'content-type': ARRAY_CONTENT_TYPE,
      'content-range': contentRange(0, 1, prefer.count ? 1 : undefined),
    };
    return { status: 200, headers, ...(request.head ? {} : { body }) };
  }

  const relation = fn.return_relation ? await request.catalog.table(fn.schema, fn.return_relation) : undefined;
  const scalarSet = fn.result_columns.length === 0;
  const source: ColumnSource = relation
    ? tableSource(relation, fn.name)
    : { label: fn.name, columnNames: fn.result_columns };
  const fromItems = from ? `${from} cross join lateral ${call} as ${ROW_ALIAS}` : ` from ${call} as ${ROW_ALIAS}`;
  const used = new Set<string>();
  const options = {
    stripNulls: representation.stripNulls,
    embeds: await planEmbeds(
      query.select,
      relation?.name,
      fn.name,
      relation ? createEmbedResolver(request.catalog, fn.schema) : undefined,
    ),
    embedded: query.embedded,
    used,
  };
  // A set of scalars has no columns to name: any filter or order on it is an unknown column (42703).
  const where = withFilters(
    whereSql(query.conditions, source, params),
    scalarSet ? [] : await innerFilters(query.select, source, params, options),
  );
  const projection = scalarSet
    ? { sql: `to_json(${ROW_ALIAS})`, groupBy: '' }
    : await projectionSql(query.select, source, params, options);
  checkEmbeddedUsed(query.embedded, used);
  let paging = orderSql(query.order, source, params);
  if (page.limit !== undefined) paging += ` limit ${params.add(page.limit)}`;
  if (page.offset > 0) paging += ` offset ${params.add(page.offset)}`;
  // The function runs once: the total for `Prefer: count` is a window count over the filtered
  // rows, taken before the page is cut (exact for every count kind: a plan cannot see inside a call).
  const total = prefer.count ? ', count(*) over () as pgrst_total' : '';
  const { rows } = await tx.query<AggregatedRows>(
    aggregateSql(
      `select ${projection.sql} as j${total}${fromItems}${where}${projection.groupBy}${paging}`,
      prefer.count ? ', coalesce(max(pgrst_r.pgrst_total), 0)::int as total' : '',
    ),
    params.values,
  );
  const result = rows[0] ?? { n: 0, body: '[]', item: null };
  checkMaxAffected(result.n, prefer);
  const count = prefer.count ? (result.total ?? 0) : undefined;
  const single = representation.singular || !fn.returns_set;
  if (representation.singular && result.n !== 1) throw singularError(result.n);
  const headers = {
    'content-type': representation.singular ? OBJECT_CONTENT_TYPE : ARRAY_CONTENT_TYPE,
    'content-range': contentRange(page.offset, result.n, count),
  };
  if (request.head) return { status: 200, headers };
  return { status: 200, headers, body: single ? (result.item ?? 'null') : result.body };
}
