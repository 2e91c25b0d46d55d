import type { Queryable } from '../db/index.ts';
import type { ApiQuery, Preferences } from './api-request.ts';
import { checkEmbeddedUsed, projectionSql } from './build-projection.ts';
import { whereSql } from './build-where.ts';
import { ROW_ALIAS, resolveColumn, tableSource, type ColumnSource } from './column-source.ts';
import { PostgrestError } from './postgrest-error.ts';
import { quoteIdent } from './quote-ident.ts';
import { checkMaxAffected } from './max-affected.ts';
import { createEmbedResolver, planEmbeds } from './resolve-embed.ts';
import { aggregateSql, relationSql, singularError, type AggregatedRows } from './read-table.ts';
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

export type JsonObject = Record<string, unknown>;

interface WriteRequest {
  query: ApiQuery;
  prefer: Preferences;
  representation: Representation;
  catalog: SchemaCatalog;
}

interface Outcome {
  n: number;
  body?: string;
  item?: string | null;
  location?: string;
}

function source(table: TableInfo): ColumnSource {
  return tableSource(table);
}

/** A payload key must be a column (PGRST204), checked before any SQL is built from it. */
function payloadColumn(table: TableInfo, name: string): string {
  const column = table.columns.get(name);
  if (!column)
    throw new PostgrestError(
      400,
      'PGRST204',
      `Could not find the '${name}' column of '${table.name}' in the schema cache`,
    );
  return column.name;
}

/**
 * Runs `statement` (an insert/update/delete on `pgrst_t`) and returns what `Prefer: return=` asks
 * for. `minimal` adds no RETURNING, so — as with PostgREST — a row the caller may write but not
 * read is not refused by the SELECT policy.
 */
async function execute(
  tx: Queryable,
  table: TableInfo,
  statement: string,
  params: SqlParams,
  request: WriteRequest,
): Promise<Outcome> {
  const { prefer, representation, query } = request;
  if (prefer.return === 'representation') {
    const used = new Set<string>();
    const projection = await projectionSql(query.select, source(table), params, {
      stripNulls: representation.stripNulls,
      embeds: await planEmbeds(
        query.select,
        table.name,
        table.name,
        createEmbedResolver(request.catalog, table.schema),
      ),
      embedded: query.embedded,
      used,
    });
    checkEmbeddedUsed(query.embedded, used);
    // Embedded rows are read as they were before this statement: a CTE's changes are invisible to its siblings.
    const { rows } = await tx.query<AggregatedRows>(
      `with pgrst_rows as (${statement} returning ${ROW_ALIAS}.*) ${aggregateSql(`select ${projection.sql} as j from pgrst_rows as ${ROW_ALIAS}${projection.groupBy}`)}`,
      params.values,
    );
    const result = rows[0] ?? { n: 0, body: '[]', item: null };
    return { n: result.n, body: result.body, item: result.item };
  }
  // Embedded filters only shape a returned representation; with none, they must not be silently dropped.
  checkEmbeddedUsed(query.embedded, new Set());
  if (prefer.return === 'headers-only' && table.primaryKey.length > 0) {
    const keys = table.primaryKey.map((k) => `${params.add(k)}::text, ${ROW_ALIAS}.${quoteIdent(k)}`).join(', ');
    const { rows } = await tx.query<{ n: number; item: Record<string, unknown> | null }>(
      `with pgrst_rows as (${statement} returning ${ROW_ALIAS}.*) select count(*)::int as n, (json_agg(json_build_object(${keys})) -> 0) as item from pgrst_rows as ${ROW_ALIAS}`,
      params.values,
    );
    const result = rows[0] ?? { n: 0, item: null };
    const location = result.item
      ? `/${encodeURIComponent(table.name)}?${Object.entries(result.item)
          .map(([k, v]) => `${encodeURIComponent(k)}=eq.${encodeURIComponent(String(v))}`)
          .join('&')}`
      : undefined;
    return { n: result.n, ...(location !== undefined ? { location } : {}) };
  }
  const result = await tx.query(statement, params.values);
  return { n: result.affectedRows };
}

function respond(
  outcome: Outcome,
  request: WriteRequest,
  okStatus: number,
  range: string,
  created = false,
): RestResponse {
  const { prefer, representation } = request;
  // A singular write that touched 0 or 2+ rows is rolled back (thrown inside the transaction), as in PostgREST.
  if (representation.singular && outcome.n !== 1) throw singularError(outcome.n);
  const applied = [
    prefer.return && `return=${prefer.return}`,
    prefer.count && `count=${prefer.count}`,
    prefer.resolution && `resolution=${prefer.resolution}`,
    prefer.missing && `missing=${prefer.missing}`,
    prefer.tx && `tx=${prefer.tx}`,
  ]
    .filter(Boolean)
    .join(', ');
  const headers: Record<string, string> = { 'content-range': range };
  if (applied) headers['preference-applied'] = applied;
  if (outcome.location) headers.location = outcome.location;
  if (prefer.return === 'representation') {
    headers['content-type'] = representation.singular ? OBJECT_CONTENT_TYPE : ARRAY_CONTENT_TYPE;
    return {
      status: okStatus,
      headers,
      body: representation.singular ? (outcome.item ?? 'null') : (outcome.body ?? '[]'),
    };
  }
  // Without a body an update or delete is 204; an insert keeps its 201 (or an upsert's 200).
  return { status: created ? okStatus : 204, headers };
}

/**
 * POST: insert one object or an array of objects, or upsert with `Prefer: resolution=…` and
 * `on_conflict`. Rows go through `json_populate_recordset(null::table, $1)`, so Postgres converts
 * JSON to column types exactly as PostgREST's statements do.
 */
export async function insertRows(
  tx: Queryable,
  table: TableInfo,
  payload: JsonObject | JsonObject[],
  request: WriteRequest,
): Promise<RestResponse> {
  const { query, prefer } = request;
  const rows = Array.isArray(payload) ? payload : [payload];
  let columns: string[];
  if (query.columns) {
    columns = query.columns.map((c) => payloadColumn(table, c));
  } else {
    const first = Object.keys(rows[0] ?? {});
    const same = (row: JsonObject) => {
      const keys = Object.keys(row);
      return keys.length === first.length && keys.every((k) => first.includes(k));
    };
    if (!rows.every(same)) throw new PostgrestError(400, 'PGRST102', 'All object keys must match');
    columns = first.map((c) => payloadColumn(table, c));
  }

  let conflict = '';
  if (prefer.resolution) {
    const target = (query.onConflict ?? table.primaryKey).map((c) => resolveColumn(source(table), c));
    if (target.length === 0) {
      throw new PostgrestError(
        400,
        '42P10',
        'there is no unique or exclusion constraint matching the ON CONFLICT specification',
        null,
        'Pass on_conflict with the unique columns.',
      );
    }
    const targetSql = target.map(quoteIdent).join(', ');
    const updates = columns.map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`);
    conflict =
      prefer.resolution === 'ignore-duplicates' || updates.length === 0
        ? ` on conflict (${targetSql}) do nothing`
        : ` on conflict (${targetSql}) do update set ${updates.join(', ')}`;
  } else if (query.onConflict) {
    query.onConflict.forEach((c) => resolveColumn(source(table), c));
  }

  const merge = prefer.resolution === 'merge-duplicates' && conflict.includes('do update');
  const params = new SqlParams();
  const list = columns.map(quoteIdent).join(', ');
  const body = params.add(
    JSON.stringify(rows.map((row) => Object.fromEntries(columns.filter((c) => c in row).map((c) => [c, row[c]])))),
  );
  const target = relationSql(table);
  let recordset = `json_populate_recordset(null::${target}, ${body}::json)`;
  const defaults = prefer.missing === 'default' ? columns.filter((c) => table.columns.get(c)?.default) : [];
  if (defaults.length > 0) {
    // As PostgREST: each row is the columns' defaults overlaid with the row's own keys; the
    // defaults are evaluated for every row (a sequence advances even where the row names the key).
    const pairs = defaults.map((c) => `${params.add(c)}::text, ${table.columns.get(c)!.default}`).join(', ');
    recordset = `jsonb_populate_recordset(null::${target}, (select coalesce(jsonb_agg(jsonb_build_object(${pairs}) || pgrst_row), '[]'::jsonb) from jsonb_array_elements(${body}::jsonb) as pgrst_row))`;
  }
  // An upsert counts the rows it inserted as PostgREST does (GUC pgrst.inserted: +1 per row in,
  // -1 per row that went to DO UPDATE), to answer 200 rather than 201 when it only updated.
  const counter = (sign: '+' | '-') =>
    `set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', true), '')::int, 0) ${sign} 1)::text, true)`;
  const statement =
    `insert into ${target} as ${ROW_ALIAS}${list ? ` (${list})` : ''} ` +
    `select ${list} from ${recordset}${merge ? ` where ${counter('+')} <> '0'` : ''}` +
    `${conflict}${merge ? ` where ${counter('-')} <> '-1'` : ''}`;

  const outcome: Outcome =
    rows.length === 0 ? { n: 0, body: '[]', item: null } : await execute(tx, table, statement, params, request);
  let status = 201;
  if (merge && rows.length > 0) {
    const inserted = await tx.query<{ n: number | null }>(
      `select nullif(current_setting('pgrst.inserted', true), '')::int as n`,
    );
    if ((inserted.rows[0]?.n ?? 0) <= 0) status = 200;
  }
  return respond(outcome, request, status, prefer.count ? `*/${outcome.n}` : '*/*', true);
}

function requireFilters(query: ApiQuery, verb: 'UPDATE' | 'DELETE'): void {
  // Supabase runs PostgREST with pg-safeupdate: a write without a WHERE clause is refused.
  if (query.conditions.length === 0) throw new PostgrestError(400, '21000', `${verb} requires a WHERE clause`);
}

function writeRange(n: number, prefer: Preferences): string {
  return contentRange(0, n, prefer.count ? n : undefined);
}

/** PATCH: set the payload's columns on every row the filters (and RLS) select. */
export async function updateRows(
  tx: Queryable,
  table: TableInfo,
  payload: JsonObject,
  request: WriteRequest,
): Promise<RestResponse> {
  const { query, prefer } = request;
  const columns = Object.keys(payload).map((c) => payloadColumn(table, c));
  requireFilters(query, 'UPDATE');
  if (columns.length === 0) return respond({ n: 0, body: '[]', item: null }, request, 200, writeRange(0, prefer));
  const params = new SqlParams();
  const body = params.add(JSON.stringify(payload));
  const sets = columns.map((c) => `${quoteIdent(c)} = pgrst_body.${quoteIdent(c)}`).join(', ');
  const where = whereSql(query.conditions, source(table), params);
  const statement = `update ${relationSql(table)} as ${ROW_ALIAS} set ${sets} from (select * from json_populate_record(null::${relationSql(table)}, ${body}::json)) as pgrst_body${where}`;
  const outcome = await execute(tx, table, statement, params, request);
  checkMaxAffected(outcome.n, prefer);
  return respond(outcome, request, 200, writeRange(outcome.n, prefer));
}

/** DELETE: remove every row the filters (and RLS) select. */
export async function deleteRows(tx: Queryable, table: TableInfo, request: WriteRequest): Promise<RestResponse> {
  const { query, prefer } = request;
  requireFilters(query, 'DELETE');
  const params = new SqlParams();
  const where = whereSql(query.conditions, source(table), params);
  const outcome = await execute(
    tx,
    table,
    `delete from ${relationSql(table)} as ${ROW_ALIAS}${where}`,
    params,
    request,
  );
  checkMaxAffected(outcome.n, prefer);
  return respond(outcome, request, 200, writeRange(outcome.n, prefer));
}
