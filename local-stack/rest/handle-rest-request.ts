import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { withClaims, type Queryable } from '../db/index.ts';
import { BodyTooLargeError, closeIfBodyUnread, headerValue, InvalidJsonError, readJsonBody } from '../http.ts';
import type { ServiceContext } from '../service.ts';
import type { ApiQuery } from './api-request.ts';
import { checkAggregatesAllowed } from './aggregates-allowed.ts';
import { exposedSchemas, readRequestCatalogState, requestSchema } from './in-database-config.ts';
import { authenticateRequest, type RestIdentity } from './authenticate-request.ts';
import { callFunction } from './call-function.ts';
import { chooseFunction } from './choose-function.ts';
import { negotiateRepresentation } from './negotiate-representation.ts';
import { parsePrefer } from './parse-prefer.ts';
import { parseQuery } from './parse-query.ts';
import { resolvePage } from './parse-range.ts';
import { PostgrestError, toPostgrestError } from './postgrest-error.ts';
import { readTable } from './read-table.ts';
import type { RestResponse } from './rest-response.ts';
import { listFunctions, listTables } from './schema-cache.ts';
import { schemaCatalog } from './schema-catalog.ts';
import { deleteRows, insertRows, updateRows } from './write-table.ts';

/** Larger than any payload the project sends; refuses a runaway client before it fills memory. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

const jsonObject = z.record(z.string(), z.unknown());
const insertBody = z.union([jsonObject, z.array(jsonObject)]);

type Target = { kind: 'table'; name: string } | { kind: 'rpc'; name: string } | { kind: 'root' };

function targetOf(pathname: string): Target | undefined {
  const rest = pathname.replace(/^\/rest\/v1\/?/, '');
  if (rest === '') return { kind: 'root' };
  let segments: string[];
  try {
    segments = rest.split('/').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  if (segments.length === 1 && segments[0]) return { kind: 'table', name: segments[0] };
  if (segments.length === 2 && segments[0] === 'rpc' && segments[1]) return { kind: 'rpc', name: segments[1] };
  return undefined;
}

async function readJson(req: IncomingMessage, emptyAs?: unknown): Promise<unknown> {
  try {
    return await readJsonBody(req, { limit: MAX_BODY_BYTES, emptyAs });
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new PostgrestError(413, 'PGRST102', error.message);
    // Invalid UTF-8 and runaway nesting too: PostgREST's parser refuses both with PGRST102.
    if (error instanceof InvalidJsonError)
      throw new PostgrestError(400, 'PGRST102', 'Empty or invalid json', error.message);
    throw error;
  }
}

function validate<T>(schema: z.ZodType<T>, value: unknown, expected: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new PostgrestError(400, 'PGRST102', 'Empty or invalid json', `Expected ${expected}`);
  return parsed.data;
}

function requestHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function send(res: ServerResponse, response: RestResponse): void {
  if (res.headersSent) return;
  closeIfBodyUnread(res);
  const headers: Record<string, string> = { ...response.headers };
  if (response.body !== undefined) headers['content-length'] = String(Buffer.byteLength(response.body));
  res.writeHead(response.status, headers);
  res.end(response.body);
}

function sendError(res: ServerResponse, error: PostgrestError): void {
  send(res, {
    status: error.status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...error.headers },
    body: JSON.stringify(error.toJSON()),
  });
}

// Inside the request's transaction: PGlite has one connection, which the transaction holds.
async function tableNotFound(tx: Queryable, schema: string, name: string): Promise<PostgrestError> {
  const tables = await listTables(tx, schema);
  const lower = name.toLowerCase();
  // PostgREST suggests the closest name: of the tables sharing a prefix with the request, the one
  // nearest in length (`publisher` → `publishers`, not the alphabetically earlier `publisher_changes`).
  const guess = tables
    .filter((t) => t.toLowerCase() === lower || t.toLowerCase().startsWith(lower) || lower.startsWith(t.toLowerCase()))
    .sort((a, b) => Math.abs(a.length - name.length) - Math.abs(b.length - name.length))[0];
  return new PostgrestError(
    404,
    'PGRST205',
    `Could not find the table '${schema}.${name}' in the schema cache`,
    null,
    guess ? `Perhaps you meant the table '${schema}.${guess}'` : null,
  );
}

/**
 * PostgREST's access modes: GET/HEAD, and POST calls of stable/immutable functions, run READ ONLY,
 * so a view or function that writes fails with 25006 (405) instead of writing on a GET.
 */
async function readOnly(tx: Queryable): Promise<void> {
  await tx.query('set transaction read only');
}

async function route(
  context: ServiceContext,
  req: IncomingMessage,
  url: URL,
  identity: RestIdentity,
  target: Target,
): Promise<RestResponse> {
  const method = req.method ?? 'GET';
  const head = method === 'HEAD';
  const prefer = parsePrefer(req.headers.prefer);
  const representation = negotiateRepresentation(headerValue(req, 'accept'));
  const options = { rollback: prefer.tx === 'rollback', headers: requestHeaders(req) };

  if (target.kind === 'root') {
    return {
      status: 200,
      headers: { 'content-type': 'application/openapi+json; charset=utf-8' },
      body: JSON.stringify({ swagger: '2.0', info: { title: 'PubDev local /rest/v1' }, paths: {} }),
    };
  }

  if (target.kind === 'rpc') {
    if (method !== 'POST' && method !== 'GET' && method !== 'HEAD') {
      throw new PostgrestError(405, 'PGRST101', 'Only GET and POST methods are allowed for functions');
    }
    const body =
      method === 'POST' ? validate(jsonObject, await readJson(req, {}), 'a JSON object of named arguments') : undefined;
    const { generation, settings } = await readRequestCatalogState(context.db);
    return withClaims(
      context.db,
      identity.claims,
      async (tx) => {
        const catalog = schemaCatalog(context.db, generation, tx);
        const schema = requestSchema(req, exposedSchemas(settings));
        const overloads = await catalog.functions(schema, target.name);
        let query: ApiQuery;
        let args: Record<string, unknown>;
        if (body) {
          query = parseQuery(url.searchParams);
          args = body;
        } else {
          const argumentNames = new Set(overloads.flatMap((fn) => fn.args.map((a) => a.name)).filter(Boolean));
          query = parseQuery(url.searchParams, { argumentNames });
          args = query.rpcArgs;
        }
        const known = overloads.length === 0 ? await listFunctions(tx, schema) : [];
        const fn = chooseFunction(schema, target.name, overloads, Object.keys(args), body !== undefined, known);
        checkAggregatesAllowed(settings, query.select);
        if (!body || fn.volatility !== 'v') await readOnly(tx);
        const page = resolvePage(headerValue(req, 'range'), query.offset, query.limit);
        return callFunction(tx, fn, args, { query, prefer, representation, page, head, catalog });
      },
      options,
    );
  }

  // Parse everything before touching the database: a malformed request never reaches SQL.
  const query = parseQuery(url.searchParams);
  let payload: z.infer<typeof insertBody> | undefined;
  if (method === 'POST')
    payload = validate(insertBody, await readJson(req), 'a JSON object or an array of JSON objects');
  else if (method === 'PATCH') payload = validate(jsonObject, await readJson(req), 'a JSON object');
  else if (method !== 'GET' && method !== 'HEAD' && method !== 'DELETE') {
    throw new PostgrestError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
  }
  const page = resolvePage(headerValue(req, 'range'), query.offset, query.limit);
  const { generation, settings } = await readRequestCatalogState(context.db);

  return withClaims(
    context.db,
    identity.claims,
    async (tx) => {
      const catalog = schemaCatalog(context.db, generation, tx);
      const schema = requestSchema(req, exposedSchemas(settings));
      const table = await catalog.table(schema, target.name);
      if (!table) throw await tableNotFound(tx, schema, target.name);
      checkAggregatesAllowed(settings, query.select);
      const request = { query, prefer, representation, catalog };
      switch (method) {
        case 'POST':
          return insertRows(tx, table, payload!, request);
        case 'PATCH':
          return updateRows(tx, table, payload as Record<string, unknown>, request);
        case 'DELETE':
          return deleteRows(tx, table, request);
        default:
          await readOnly(tx);
          return readTable(tx, table, { ...request, page, head });
      }
    },
    options,
  );
}

/** One `/rest/v1` request, answered in PostgREST's shapes; never throws. */
export async function handleRestRequest(
  context: ServiceContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  let identity: RestIdentity | undefined;
  try {
    const target = targetOf(url.pathname);
    if (!target) throw new PostgrestError(404, 'PGRST125', `Invalid path specified in request URL`);
    identity = await authenticateRequest(req, context.config);
    send(res, await route(context, req, url, identity, target));
  } catch (error) {
    const failure = toPostgrestError(error, identity?.anonymous ?? true);
    if (failure.status >= 500)
      context.log(`/rest/v1 ${req.method} ${url.pathname}: ${failure.code} ${failure.message}`);
    sendError(res, failure);
  }
}
