import type { Queryable } from '../db/index.ts';
import type { ApiQuery, Preferences } from './api-request.ts';
import { checkEmbeddedUsed, projectionSql } from './build-projection.ts';
import { whereSql } from './build-where.ts';
import { ROW_ALIAS, resolveColumn, type ColumnSource } from './column-source.ts';
import { PostgrestError } from './postgrest-error.ts';
import { quoteIdent } from './quote-ident.ts';
import { checkMaxAffected } from './max-affected.ts';
import { createEmbedResolver } from './resolve-embed.ts';
import { aggregateSql, relationSql, singularError, type AggregatedRows } from './read-table.ts';
import {
  ARRAY_CONTENT_TYPE,
  contentRange,
  OBJECT_CONTENT_TYPE,
  type Representation,
  type RestResponse,
} from './rest-response.ts';
import type { TableInfo } from './schema-cache.ts';
import { SqlParams } from './sql-params.ts';

export type JsonObject = Record<string, unknown>;

interface WriteRequest {
  query: ApiQuery;
  prefer: Preferences;
  representation: Representation;
}

interface Outcome {
  n: number;
  body?: string;
  item?: string | null;
  location?: string;
}

function source(table: TableInfo): ColumnSource {
  return { label: table.name, columnNames: table.columnNames };
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
      embeds: createEmbedResolver(tx),
      embedded: query.embedded,
      used,
    });
    checkEmbeddedUsed(query.embedded, used);
    // Embedded rows are read as they were before this statement: a CTE's changes are invisible to its siblings.
    const { rows } = await tx.query<AggregatedRows>(
      `with pgrst_rows as (${statement} returning ${ROW_ALIAS}.*) ${aggregateSql(`select ${projection.sql} as j from pgrst_rows as ${ROW_ALIAS}`)}`,
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

function respond(outcome: Outcome, request: WriteRequest, okStatus: number, range: string): RestResponse {
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
  return { status: okStatus === 201 ? 201 : 204, headers };
}

function concatArrays(bodies: readonly string[]): string {
  const inner = bodies.map((b) => b.trim().slice(1, -1).trim()).filter((b) => b !== '');
  return `[${inner.join(',')}]`;
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

  const statementFor = (rowColumns: readonly string[], batch: readonly JsonObject[]) => {
    const params = new SqlParams();
    const list = rowColumns.map(quoteIdent).join(', ');
    const body = params.add(
      JSON.stringify(batch.map((row) => Object.fromEntries(rowColumns.map((c) => [c, row[c] ?? null])))),
    );
    const statement =
      `insert into ${relationSql(table)} as ${ROW_ALIAS}${list ? ` (${list})` : ''} ` +
      `select ${list} from json_populate_recordset(null::${relationSql(table)}, ${body}::json)${conflict}`;
    return { statement, params };
  };

  let outcome: Outcome;
  if (rows.length === 0) {
    outcome = { n: 0, body: '[]', item: null };
  } else if (prefer.missing === 'default' && Array.isArray(payload)) {
    // Missing keys take the column default: one statement per row, each naming only its own keys.
    const parts: Outcome[] = [];
    for (const row of rows) {
      const { statement, params } = statementFor(
        columns.filter((c) => c in row),
        [row],
      );
      parts.push(await execute(tx, table, statement, params, request));
    }
    outcome = {
      n: parts.reduce((sum, p) => sum + p.n, 0),
      body: concatArrays(parts.map((p) => p.body ?? '[]')),
      item: parts.find((p) => p.n > 0)?.item ?? null,
      ...(parts[0]?.location ? { location: parts[0].location } : {}),
    };
  } else {
    const rowColumns = prefer.missing === 'default' ? columns.filter((c) => c in (rows[0] ?? {})) : columns;
    const { statement, params } = statementFor(rowColumns, rows);
    outcome = await execute(tx, table, statement, params, request);
  }
  return respond(outcome, request, 201, prefer.count ? `*/${outcome.n}` : '*/*');
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
