// `/api/websocket` is the seed's path, kept for its code: it speaks plain HTTP (Supabase Realtime carries the sockets).
import { NextResponse, type NextRequest } from 'next/server';
import { z } from 'zod';
import { MESSAGE_TYPES, UUID_PATTERN } from '../../../contract/index.ts';
import { bridgeErrorResponse, jsonError } from '../../../lib/api/json-error.ts';
import { callerOf } from '../../../lib/api/caller.ts';
import { createRealtimeServer, type ServerMessage } from '../../../server/index.ts';

export const dynamic = 'force-dynamic';

const organizationIdSchema = z.string().regex(UUID_PATTERN, 'must be a lowercase UUID');

/**
 * GET /api/websocket[?organizationId=] — connection statistics of the caller's organisation (or the
 * one named), as the bridge reports them to owners and admins. 401 without a session; the bridge's
 * 403 for anyone else.
 */
export async function GET(request: NextRequest): Promise<NextResponse> {
  const caller = await callerOf(request);
  if (!caller.ok) return caller.response;
  const requested = request.nextUrl.searchParams.get('organizationId');
  const organizationId = requested === null ? caller.organizationId : organizationIdSchema.safeParse(requested);
  if (typeof organizationId !== 'string' && !organizationId.success) {
    return jsonError(
      422,
      'invalid_request',
      `organizationId ${organizationId.error.issues[0]?.message ?? 'is invalid'}`,
    );
  }
  const id = typeof organizationId === 'string' ? organizationId : organizationId.data;
  try {
    const server = createRealtimeServer({ supabaseUrl: caller.supabaseUrl, accessToken: caller.accessToken });
    return NextResponse.json(await server.getConnectionStats(id), { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return bridgeErrorResponse(error);
  }
}

const postBodySchema = z.strictObject({
  organizationId: organizationIdSchema.optional(),
  target: z.union([z.strictObject({ userId: z.string() }), z.strictObject({ territory: z.string() })]).optional(),
  message: z.strictObject({ type: z.enum(MESSAGE_TYPES), data: z.record(z.string(), z.unknown()) }),
  source: z.string().optional(),
});

/**
 * POST /api/websocket — forwards one message to the bridge with the caller's session, so the
 * bridge's role table decides (a member may not send agent_status, nobody sends to another
 * organisation). Body: `{ organizationId?, target?: {userId}|{territory}, message: {type, data}, source? }`.
 * The bridge validates `data` against the contract and answers 422 naming the field.
 */
export async function POST(request: NextRequest): Promise<NextResponse> {
  const caller = await callerOf(request);
  if (!caller.ok) return caller.response;
  const raw: unknown = await request.json().catch(() => undefined);
  if (raw === undefined) return jsonError(400, 'invalid_json', 'The body must be JSON');
  const parsed = postBodySchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || '(body)',
      message: issue.message,
    }));
    return jsonError(422, 'invalid_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
  }
  const { organizationId = caller.organizationId, target, message, source } = parsed.data;
  // RATIONALE: the data is the contract's, checked by the bridge (one source of truth); this route
  // only checks the envelope, hence the cast from a record to the typed message.
  const typed = message as ServerMessage;
  const options = source ? { source } : {};
  try {
    const server = createRealtimeServer({ supabaseUrl: caller.supabaseUrl, accessToken: caller.accessToken });
    if (target && 'userId' in target) {
      if (typed.type !== 'notification')
        return jsonError(422, 'invalid_request', 'target.userId: only a notification is sent to one user');
      return NextResponse.json(await server.sendToUser(organizationId, target.userId, typed.data, options));
    }
    if (target && 'territory' in target) {
      if (typed.type !== 'team_update')
        return jsonError(422, 'invalid_request', 'target.territory: only a team_update is sent to a territory');
      return NextResponse.json(await server.sendToTerritory(organizationId, target.territory, typed, options));
    }
    return NextResponse.json(await server.broadcastToOrganization(organizationId, typed, options));
  } catch (error) {
    return bridgeErrorResponse(error);
  }
}
