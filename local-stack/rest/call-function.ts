import type { Queryable } from '../db/index.ts';
import type { ApiQuery, Preferences } from './api-request.ts';
import { orderSql } from './build-order.ts';
import { checkEmbeddedUsed, projectionSql } from './build-projection.ts';
import { whereSql } from './build-where.ts';
import { ROW_ALIAS } from './column-source.ts';
import { PostgrestError } from './postgrest-error.ts';
import { quoteIdent } from './quote-ident.ts';
import { aggregateSql, singularError, type AggregatedRows, type Page } from './read-table.ts';
import {
  ARRAY_CONTENT_TYPE,
  contentRange,
  OBJECT_CONTENT_TYPE,
  type Representation,
  type RestResponse,
} from './rest-response.ts';
import { EXPOSED_SCHEMA, type FunctionInfo } from './schema-cache.ts';
import { SqlParams } from './sql-params.ts';

const JSON_TYPES = new Set(['json', 'jsonb']);

/** A function taking one unnamed json/jsonb argument receives the whole body (PostgREST's rule). */
function takesWholeBody(fn: FunctionInfo): boolean {
  return fn.args.length === 1 && fn.args[0]?.name === '' && JSON_TYPES.has(fn.args[0].type);
}

/**
 * The overload whose named arguments match the keys given (missing ones must have defaults),
 * else PGRST202 (404) as PostgREST answers for a function not in its schema cache.
 */
export function chooseFunction(
  name: string,
  overloads: readonly FunctionInfo[],
  keys: readonly string[],
): FunctionInfo {
  const matches = overloads.filter((fn) => {
    if (takesWholeBody(fn)) return true;
    // An unnamed argument cannot be given by name (not even by the key ""), so a function that
    // needs one is not callable through /rpc: PGRST202, never a quoting failure (500).
    const names = new Set(fn.args.map((a) => a.name).filter((n) => n !== ''));
    return (
      keys.every((k) => names.has(k)) && fn.args.every((a) => a.has_default || (a.name !== '' && keys.includes(a.name)))
    );
  });
  const exact = matches.length > 1 ? matches.filter((fn) => !takesWholeBody(fn)) : matches;
  if (exact.length === 1) return exact[0]!;
  if (exact.length > 1) {
    throw new PostgrestError(
      300,
      'PGRST203',
      `Could not choose the best candidate function between: ${exact.map((fn) => `public.${fn.name}(${fn.args.map((a) => `${a.name} => ${a.type}`).join(', ')})`).join(', ')}`,
      null,
      'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
    );
  }
  const list = [...keys].sort().join(', ');
  throw new PostgrestError(
    404,
    'PGRST202',
    `Could not find the function ${EXPOSED_SCHEMA}.${name}${keys.length ? `(${list})` : ' without parameters'} in the schema cache`,
    `Searched for the function ${EXPOSED_SCHEMA}.${name}${keys.length ? ` with parameters ${list}` : ' without parameters'} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
  );
}

/**
 * POST (or GET) /rpc/<fn>: named arguments come in as one JSON object and are converted by
 * `json_to_record` with the argument types from the catalog, so values stay bound parameters.
 * Results as PostgREST returns them: a scalar as JSON, a composite as an object, a set as an
 * array (filterable, orderable), void as 204.
 */
export async function callFunction(
  tx: Queryable,
  fn: FunctionInfo,
  args: Record<string, unknown>,
  request: { query: ApiQuery; prefer: Preferences; representation: Representation; page: Page; head: boolean },
): Promise<RestResponse> {
  const { query, representation, page } = request;
  // Function results have no foreign keys, so nothing can be embedded (or filtered as embedded).
  checkEmbeddedUsed(query.embedded, new Set());
  const params = new SqlParams();
  const callee = `${quoteIdent(EXPOSED_SCHEMA)}.${quoteIdent(fn.name)}`;
  let from = '';
  let call: string;
  if (takesWholeBody(fn)) {
    call = `${callee}(${params.add(JSON.stringify(args))}::${fn.args[0]!.type === 'json' ? 'json' : 'jsonb'})`;
  } else {
    const given = fn.args.filter((a) => a.name in args);
    if (given.length > 0) {
      // Argument types come from format_type() in the catalog, never from the request.
      const definitions = given.map((a) => `${quoteIdent(a.name)} ${a.type}`).join(', ');
      from = ` from json_to_record(${params.add(JSON.stringify(args))}::json) as pgrst_args(${definitions})`;
    }
    call = `${callee}(${given.map((a) => `${quoteIdent(a.name)} := pgrst_args.${quoteIdent(a.name)}`).join(', ')})`;
  }

  if (!fn.returns_set && fn.return_type === 'void') {
    await tx.query(`select ${call}${from}`, params.values);
    return { status: 204, headers: {} };
  }
  if (!fn.returns_set && fn.return_kind !== 'c') {
    const { rows } = await tx.query<{ body: string | null }>(
      `select to_json(${call})::text as body${from}`,
      params.values,
    );
    const body = rows[0]?.body ?? 'null';
    return { status: 200, headers: { 'content-type': ARRAY_CONTENT_TYPE }, ...(request.head ? {} : { body }) };
  }

  const scalarSet = fn.result_columns.length === 0;
  const source = { label: fn.name, columnNames: fn.result_columns };
  const relation = from ? `${from} cross join lateral ${call} as ${ROW_ALIAS}` : ` from ${call} as ${ROW_ALIAS}`;
  // A set of scalars has no columns to name: any filter or order on it is an unknown column (42703).
  const where = whereSql(query.conditions, source, params);
  const projection = scalarSet
    ? `to_json(${ROW_ALIAS})`
    : (await projectionSql(query.select, source, params, { stripNulls: representation.stripNulls })).sql;
  let paging = orderSql(query.order, source, params);
  if (page.limit !== undefined) paging += ` limit ${params.add(page.limit)}`;
  if (page.offset > 0) paging += ` offset ${params.add(page.offset)}`;
  const { rows } = await tx.query<AggregatedRows>(
    aggregateSql(`select ${projection} as j${relation}${where}${paging}`),
    params.values,
  );
  const result = rows[0] ?? { n: 0, body: '[]', item: null };
  const single = representation.singular || !fn.returns_set;
  if (representation.singular && result.n !== 1) throw singularError(result.n);
  const headers = {
    'content-type': representation.singular ? OBJECT_CONTENT_TYPE : ARRAY_CONTENT_TYPE,
    'content-range': contentRange(page.offset, result.n, undefined),
  };
  if (request.head) return { status: 200, headers };
  return { status: 200, headers, body: single ? (result.item ?? 'null') : result.body };
}
