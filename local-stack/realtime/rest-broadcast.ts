import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { checkRealtimeWrite, type JwtClaims } from '../db/index.ts';
import { errorMessage } from '../errors.ts';
import { BodyTooLargeError, headerValue, parseJsonBody as parseJson, readBody, sendEmpty, sendJson } from '../http.ts';
import { requestIdentity } from '../request-identity.ts';
import { jsonBytes } from './serializer.ts';
import { admitBroadcast, publishBroadcast, type Tenant } from './tenant.ts';

/**
 * Realtime's REST API under `/realtime/v1/api` (protocol reference §3.6, §9): the batch and the
 * single-message broadcast endpoints and ping. Unknown query parameters (realtime-js sends
 * `apikey` and `vsn` along) are ignored (§3.6.3).
 */

const PAYLOAD_TOO_LARGE = 'Payload size exceeds tenant limit';
const RATE_LIMITED = 'You have exceeded your rate limit';

/** Plug.Parsers' default body limit. */
const MAX_BODY_BYTES = 8_000_000;

const batchSchema = z.object({
  messages: z.array(
    z.object({
      topic: z.string().min(1, "can't be blank"),
      event: z.string().min(1, "can't be blank"),
      payload: z.record(z.string(), z.unknown(), 'is invalid'),
      private: z.boolean().optional(),
      id: z.uuid().optional(),
    }),
  ),
});

type Errors = { [key: string]: Errors | Errors[] | string[] };

/** Ecto-style `{"errors": {field: [message]}}`, nested along the zod issue paths. */
function ectoErrors(issues: readonly z.core.$ZodIssue[]): Errors {
  const root: Errors = {};
  for (const issue of issues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (path.length === 0) path.push('body');
    let node: Errors | Errors[] = root;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      const nextIsIndex = typeof path[i + 1] === 'number';
      const container = node as Record<string | number, unknown>;
      container[key] ??= nextIsIndex ? [] : {};
      node = container[key] as Errors | Errors[];
      if (Array.isArray(node)) {
        const index = path[i + 1] as number;
        for (let j = node.length; j <= index; j++) node.push({});
        node = node[index]!;
        i += 1;
        if (i === path.length - 1) break;
      }
    }
    const last = path[path.length - 1]!;
    const target = node as Record<string | number, unknown>;
    const list = (target[last] as string[] | undefined) ?? [];
    list.push(issue.message);
    target[last] = list;
  }
  return root;
}

function requestHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * Realtime's rate-limit plug (`RealtimeWeb.Plugs.RateLimiter`, §3.6): the tenant's 60 s average of
 * events per second, truncated to an integer, its limit, and what is left (negative once over it).
 */
function rateHeaders(tenant: Tenant): Record<string, string> {
  const rolling = Math.trunc(tenant.events.average());
  return {
    'x-rate-rolling': String(rolling),
    'x-rate-limit': String(tenant.events.limit),
    'x-rate-limit-remaining': String(tenant.events.limit - rolling),
  };
}

async function canWrite(tenant: Tenant, claims: JwtClaims, topic: string, req: IncomingMessage): Promise<boolean> {
  try {
    const result = await checkRealtimeWrite(tenant.db, { claims, topic, headers: requestHeaders(req) }, ['broadcast']);
    if (result.policyError) tenant.log(`realtime: RlsPolicyError on ${topic}: ${result.policyError}`);
    return result.broadcast;
  } catch (error) {
    tenant.log(`realtime: write check failed on ${topic}: ${errorMessage(error)}`);
    return false;
  }
}

async function readJson(
  req: IncomingMessage,
  res: ServerResponse,
): Promise<{ ok: true; body: Buffer } | { ok: false }> {
  try {
    return { ok: true, body: await readBody(req, MAX_BODY_BYTES) };
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendJson(res, 413, { message: error.message });
      return { ok: false };
    }
    throw error;
  }
}

function parseJsonBody(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    // Strict UTF-8 and bounded nesting, as Jason/Plug.Parsers refuse such bodies with 400 (§3.6).
    return { ok: true, value: parseJson(body, {}) };
  } catch {
    return { ok: false };
  }
}

/** `POST /api/broadcast` (§3.6.1): 202 even when a private message is dropped for lack of write. */
async function batchBroadcast(
  tenant: Tenant,
  req: IncomingMessage,
  res: ServerResponse,
  claims: JwtClaims,
): Promise<void> {
  const read = await readJson(req, res);
  if (!read.ok) return;
  const json = parseJsonBody(read.body);
  if (!json.ok) {
    sendJson(res, 400, { message: 'Invalid JSON body' });
    return;
  }
  const parsed = batchSchema.safeParse(json.value);
  if (!parsed.success) {
    sendJson(res, 422, { errors: ectoErrors(parsed.error.issues) });
    return;
  }
  const { messages } = parsed.data;
  const refusals = messages.map((m) => admitBroadcast(tenant, jsonBytes(m.payload).byteLength, { checkRate: true }));
  if (refusals.includes('payload_too_large')) {
    sendJson(res, 422, {
      errors: { messages: refusals.map((r) => (r === 'payload_too_large' ? { payload: [PAYLOAD_TOO_LARGE] } : {})) },
    });
    return;
  }
  if (refusals.includes('rate_limited')) {
    sendJson(res, 429, { message: RATE_LIMITED }, rateHeaders(tenant));
    return;
  }
  if (tenant.events.average() + messages.length > tenant.events.limit) {
    sendJson(
      res,
      429,
      { message: 'Too many messages to broadcast, please reduce the batch size' },
      rateHeaders(tenant),
    );
    return;
  }
  // One write check per private topic (§3.6.1).
  const allowed = new Map<string, boolean>();
  for (const topic of new Set(messages.filter((m) => m.private).map((m) => m.topic))) {
    allowed.set(topic, await canWrite(tenant, claims, topic, req));
  }
  for (const message of messages) {
    if (message.private && !allowed.get(message.topic)) continue;
    publishBroadcast(
      tenant,
      { isPrivate: message.private ?? false, topic: message.topic },
      {
        kind: 'json_broadcast',
        payload: {
          type: 'broadcast',
          event: message.event,
          payload: message.payload,
          ...(message.id ? { meta: { id: message.id } } : {}),
        },
      },
    );
  }
  sendEmpty(res, 202, rateHeaders(tenant));
}

/** `POST /api/broadcast/:topic/events/:event` (§3.6.2): what realtime-js `httpSend` calls. */
async function singleBroadcast(
  tenant: Tenant,
  req: IncomingMessage,
  res: ServerResponse,
  claims: JwtClaims,
  topic: string,
  event: string,
  isPrivate: boolean,
): Promise<void> {
  const contentType = (headerValue(req, 'content-type') ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/json' && contentType !== 'application/octet-stream') {
    sendJson(res, 415, { error: 'Unsupported Media Type. Use application/json or application/octet-stream' });
    return;
  }
  const read = await readJson(req, res);
  if (!read.ok) return;
  let encoding: 'json' | 'binary';
  let payload: Uint8Array;
  if (contentType === 'application/octet-stream') {
    if (read.body.length === 0) {
      sendJson(res, 422, { errors: { payload: ["can't be blank"] } });
      return;
    }
    encoding = 'binary';
    payload = new Uint8Array(read.body);
  } else {
    const json = parseJsonBody(read.body);
    if (!json.ok) {
      sendJson(res, 400, { message: 'Invalid JSON body' });
      return;
    }
    // Plug.Parsers wraps a non-object JSON body as {"_json": value}; the controller forwards that (§3.6.2).
    const value =
      typeof json.value === 'object' && json.value !== null && !Array.isArray(json.value)
        ? json.value
        : { _json: json.value };
    encoding = 'json';
    payload = jsonBytes(value);
  }
  const refusal = admitBroadcast(tenant, payload.byteLength, { checkRate: true });
  if (refusal === 'payload_too_large') {
    sendJson(res, 422, { errors: { payload: [PAYLOAD_TOO_LARGE] } });
    return;
  }
  if (refusal === 'rate_limited') {
    sendJson(res, 429, { message: RATE_LIMITED }, rateHeaders(tenant));
    return;
  }
  if (isPrivate && !(await canWrite(tenant, claims, topic, req))) {
    sendJson(res, 403, { message: 'Unauthorized' });
    return;
  }
  publishBroadcast(tenant, { isPrivate, topic }, { kind: 'user_broadcast', event, metadata: null, encoding, payload });
  sendEmpty(res, 202, rateHeaders(tenant));
}

/** Routes `/realtime/v1/api/*`; `path` is what follows `/realtime/v1`. */
export async function handleRealtimeApi(
  tenant: Tenant,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  url: URL,
): Promise<void> {
  if (path === '/api/ping' && (req.method === 'GET' || req.method === 'HEAD')) {
    // The ping passes the rate-limit plug like the broadcast endpoints (§9): while the tenant is
    // at or over its events/s limit it answers 429, which is how a client can tell (§8.3).
    const headers = rateHeaders(tenant);
    if (tenant.events.triggered()) sendJson(res, 429, { message: 'Too many requests' }, headers);
    else sendJson(res, 200, { message: 'Success' }, headers);
    return;
  }
  // Supabase's gateway blocks the admin API (§1.1).
  if (path.startsWith('/api/tenants') || path.startsWith('/api/openapi')) {
    sendEmpty(res, 403);
    return;
  }
  const single = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/.exec(path);
  if (req.method === 'POST' && (path === '/api/broadcast' || single)) {
    // `Authorization: Bearer` takes precedence over the `apikey` header (§3.6).
    const auth = await requestIdentity(req, tenant.config, { apiKeyFallback: true, now: new Date(tenant.clock.now()) });
    if (!auth.ok) {
      sendJson(res, 401, { message: 'Unauthorized' });
      return;
    }
    const { claims } = auth.identity;
    if (!single) {
      await batchBroadcast(tenant, req, res, claims);
      return;
    }
    let topic: string;
    let event: string;
    try {
      topic = decodeURIComponent(single[1]!);
      event = decodeURIComponent(single[2]!);
    } catch {
      sendJson(res, 400, { message: 'Malformed URL path' });
      return;
    }
    await singleBroadcast(tenant, req, res, claims, topic, event, url.searchParams.get('private') === 'true');
    return;
  }
  sendJson(res, 404, { message: 'not found' });
}
