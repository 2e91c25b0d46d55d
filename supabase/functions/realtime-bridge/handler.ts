import { uuidSchema } from '../../../src/contract/uuid.ts';
import { admit } from './admission.ts';
import { broadcastRequestSchema, parseWithSchema } from './broadcast-request.ts';
import { authenticateCaller, membershipOf, readBearer, type Caller } from './caller.ts';
import type { BridgeClients } from './clients.ts';
import { deliver } from './deliver.ts';
import type { BridgeDeps } from './deps.ts';
import { checkHealth } from './health.ts';
import { BridgeError, errorResponse, jsonResponse } from './http-error.ts';
import { IDEMPOTENCY_KEY, idempotent, type StoredAnswer } from './idempotent.ts';
import { handleIntegration } from './integrations.ts';
import { parseJsonBody, readRawBody } from './read-body.ts';
import { sha256Hex } from './shared-store.ts';
import { allOrganizationIds, organizationStats } from './stats.ts';

/** Browsers call the bridge from the dashboard (the client's sendMessage), so it answers CORS. */
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, apikey, content-type, x-client-info, idempotency-key',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
};

type Route = {
  methods: readonly string[];
  run: (req: Request, url: URL, params: (string | undefined)[]) => Promise<Response>;
};

/** The routes, relative to the function (Supabase strips `/functions/v1`, the function name stays). */
function routes(deps: BridgeDeps): [RegExp, Route][] {
  return [
    [/^\/broadcast$/, { methods: ['POST'], run: (req) => broadcast(req, deps) }],
    [/^\/stats$/, { methods: ['GET'], run: (req, url) => stats(req, url, deps) }],
    [/^\/health$/, { methods: ['GET'], run: (req) => health(req, deps) }],
    [
      /^\/integrations\/([^/]+)(?:\/([^/]+))?$/,
      { methods: ['POST'], run: (req, _url, params) => handleIntegration(req, deps, params[0]!, params[1]) },
    ],
  ];
}

/**
 * Builds `handleRequest`, the pure request handler: `Request` in, `Response` out, with everything
 * from outside in `deps`; no error escapes as a 500 without a body.
 */
export function createHandler(deps: BridgeDeps): (req: Request) => Promise<Response> {
  const table = routes(deps);
  return async (req) => {
    const response = await dispatch(req, table).catch((error: unknown) => {
      if (error instanceof BridgeError) return errorResponse(error);
      console.error('realtime-bridge: unexpected error', error);
      return errorResponse(
        new BridgeError(500, 'internal_error', 'The bridge failed unexpectedly; see the function logs'),
      );
    });
    for (const [name, value] of Object.entries(CORS)) response.headers.set(name, value);
    return response;
  };
}

async function dispatch(req: Request, table: [RegExp, Route][]): Promise<Response> {
  const url = new URL(req.url);
  const path = url.pathname.replace(/^(\/functions\/v1)?\/realtime-bridge(?=\/|$)/, '') || '/';
  for (const [pattern, route] of table) {
    const match = pattern.exec(path);
    if (!match) continue;
    if (req.method === 'OPTIONS') return new Response(null, { status: 204 });
    if (!route.methods.includes(req.method)) {
      const allow = [...route.methods, 'OPTIONS'].join(', ');
      throw new BridgeError(
        405,
        'method_not_allowed',
        `${req.method} is not allowed on ${path}; use ${route.methods.join(' or ')}`,
        undefined,
        { allow },
      );
    }
    return route.run(
      req,
      url,
      match.slice(1).map((p) => (p === undefined ? undefined : decodeURIComponent(p))),
    );
  }
  throw new BridgeError(
    404,
    'not_found',
    `No route ${path}; routes: POST /broadcast, GET /stats, GET /health, POST /integrations/<source>`,
  );
}

async function broadcast(req: Request, deps: BridgeDeps): Promise<Response> {
  const { env, clients } = deps;
  const bearer = readBearer(req, env);
  const idempotencyKey = req.headers.get('idempotency-key');
  let raw: Uint8Array;
  let request: ReturnType<typeof parseBroadcastRequest>;
  try {
    if (idempotencyKey !== null && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BridgeError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1-255 visible ASCII characters');
    }
    raw = await readRawBody(req);
    request = parseBroadcastRequest(raw);
  } catch (error) {
    // A bad token is answered before a bad request, as ever: on this (failing) path only, the
    // token is checked on its own before the request's own error is answered.
    if (bearer.kind === 'user') await authenticateCaller(req, env, clients);
    throw error;
  }
  const requestHash = idempotencyKey === null ? null : await sha256Hex(raw);
  // One database round trip: caller, membership, role table, rate limit and key claim.
  const { caller, membership, claim } = await admit(
    bearer,
    {
      organizationId: request.organizationId,
      type: request.message.type,
      idempotency:
        idempotencyKey === null || requestHash === null
          ? null
          : { key: idempotencyKey, requestHash, ttlSeconds: env.BRIDGE_IDEMPOTENCY_TTL_SECONDS },
    },
    env,
    clients,
  );
  const run = async (): Promise<StoredAnswer> => ({
    status: 202,
    body: await deliver({ request, caller, membership, clients, now: deps.now }),
  });
  if (idempotencyKey === null || requestHash === null || claim === null) {
    const answer = await run();
    return jsonResponse(answer.status, answer.body);
  }
  const answer = await idempotent(
    {
      service: clients.service,
      caller: caller.id,
      key: idempotencyKey,
      requestHash,
      ttlSeconds: env.BRIDGE_IDEMPOTENCY_TTL_SECONDS,
      sleep: deps.sleep,
      now: deps.now,
      firstClaim: claim,
    },
    run,
  );
  return jsonResponse(answer.status, answer.body, answer.replayed ? { 'idempotent-replayed': 'true' } : {});
}

function parseBroadcastRequest(raw: Uint8Array) {
  return parseWithSchema(broadcastRequestSchema, parseJsonBody(raw));
}

async function stats(req: Request, url: URL, deps: BridgeDeps): Promise<Response> {
  const caller = await authenticateCaller(req, deps.env, deps.clients);
  const requested = url.searchParams.get('organizationId');
  if (requested === null) {
    if (caller.kind !== 'service')
      throw new BridgeError(
        422,
        'invalid_request',
        'organizationId: required (only the service role may ask for every organisation)',
        { issues: [{ path: 'organizationId', message: 'required' }] },
      );
    const ids = await allOrganizationIds(deps.clients.service);
    const organizations = [];
    // One at a time: each is a join and a leave, and the tenant's join rate is limited.
    for (const id of ids) organizations.push(await withClient(deps, (client) => organizationStats(client, id)));
    return jsonResponse(200, { organizations });
  }
  const organizationId = parseWithSchema(uuidSchema, requested);
  await assertOrgAdmin(caller, organizationId, deps);
  return jsonResponse(200, await withClient(deps, (client) => organizationStats(client, organizationId)));
}

async function assertOrgAdmin(caller: Caller, organizationId: string, deps: BridgeDeps): Promise<void> {
  const { role } = await membershipOf(caller, organizationId, deps.clients);
  if (role !== 'service' && role !== 'owner' && role !== 'admin') {
    throw new BridgeError(
      403,
      'not_an_admin',
      `Only owners and admins of organisation ${organizationId} may read its connection stats`,
    );
  }
}

/** A Realtime connection of its own for one stats read, always disconnected afterwards. */
async function withClient<T>(
  deps: BridgeDeps,
  use: (client: ReturnType<BridgeClients['freshService']>) => Promise<T>,
): Promise<T> {
  const client = deps.clients.freshService();
  try {
    return await use(client);
  } finally {
    await client.removeAllChannels();
    client.realtime.disconnect();
  }
}

async function health(req: Request, deps: BridgeDeps): Promise<Response> {
  // Any service-role or signed-in caller; monitors use the service key (it needs no database).
  await authenticateCaller(req, deps.env, deps.clients);
  const report = await checkHealth(deps.env, deps.fetch);
  if (report.status !== 'down') return jsonResponse(200, report);
  return jsonResponse(503, { ...report, error: { code: 'unavailable', message: `Down: ${report.down.join(', ')}` } });
}
