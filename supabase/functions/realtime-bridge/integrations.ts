import { uuidSchema } from '../../../src/contract/uuid.ts';
import { parseWithSchema } from './broadcast-request.ts';
import type { BridgeDeps } from './deps.ts';
import { BridgeError, jsonResponse } from './http-error.ts';
import { idempotent } from './idempotent.ts';
import {
  INTEGRATION_EVENT_SCHEMAS,
  isIntegrationSource,
  notificationFor,
  type IntegrationSource,
} from './integration-events.ts';
import { parseJsonBody, readRawBody } from './read-body.ts';
import { memberByEmail, sha256Hex } from './shared-store.ts';
import { SIGNATURE_TOLERANCE_SECONDS, verifyIntegrationSignature } from './signature.ts';

const SECRET_VARIABLE = {
  gmail: 'BRIDGE_GMAIL_SECRET',
  calendar: 'BRIDGE_CALENDAR_SECRET',
  linkedin: 'BRIDGE_LINKEDIN_SECRET',
  drive: 'BRIDGE_DRIVE_SECRET',
} as const satisfies Record<IntegrationSource, string>;

/**
 * RATIONALE: one answer whether or not the email belongs to a member: an integration worker
 * (or whoever stole its secret) must not learn who has an account.
 */
/**
 * RATIONALE: an eventId is remembered longer than a signature stays valid. A timestamp may be up
 * to the tolerance in the future, so a request signed at its edge verifies for twice the
 * tolerance; forgetting the eventId sooner would let a captured request be replayed.
 */
const EVENT_MEMORY_SECONDS = 2 * SIGNATURE_TOLERANCE_SECONDS + 60;

const ACCEPTED_MESSAGE =
  'Event accepted; a notification is delivered only if the recipient is a member of the organisation';

/**
 * POST /integrations/<source>[/<organizationId>]: a signed event from an integration worker
 * becomes a personal notification (source = the integration) for the member with that email.
 * The organisation comes from the path or the X-Pubdev-Organization header.
 */
export async function handleIntegration(
  req: Request,
  deps: BridgeDeps,
  source: string,
  pathOrganization: string | undefined,
): Promise<Response> {
  if (!isIntegrationSource(source)) {
    throw new BridgeError(
      404,
      'unknown_source',
      `Unknown integration source "${source}" (known: ${Object.keys(SECRET_VARIABLE).join(', ')})`,
    );
  }
  const secret = deps.env[SECRET_VARIABLE[source]];
  if (!secret)
    throw new BridgeError(
      503,
      'integration_not_configured',
      `The ${source} integration has no secret (${SECRET_VARIABLE[source]})`,
    );
  const raw = await readRawBody(req);
  await verifyIntegrationSignature(req, secret, raw, deps.now());
  const organizationId = parseWithSchema(
    uuidSchema,
    pathOrganization ?? req.headers.get('x-pubdev-organization') ?? undefined,
  );
  const event: { eventId: string } = parseWithSchema<{ eventId: string }>(
    INTEGRATION_EVENT_SCHEMAS[source],
    parseJsonBody(raw),
  );
  const { service } = deps.clients;

  const answer = await idempotent(
    {
      service,
      caller: `integration:${source}:${organizationId}`,
      key: event.eventId,
      requestHash: await sha256Hex(raw),
      ttlSeconds: Math.max(deps.env.BRIDGE_IDEMPOTENCY_TTL_SECONDS, EVENT_MEMORY_SECONDS),
      sleep: deps.sleep,
      now: deps.now,
    },
    async () => {
      const notification = notificationFor(source, event);
      const userId = await memberByEmail(service, organizationId, notification.email);
      if (userId) {
        const { error } = await service.from('notifications').insert({
          organization_id: organizationId,
          user_id: userId,
          level: 'info',
          message: notification.message.slice(0, 2000),
          action_url: notification.actionUrl,
          persistent: false,
          source,
        });
        if (error) throw new BridgeError(502, 'upstream_error', `Storing the notification failed: ${error.message}`);
      }
      return { status: 202, body: { accepted: true, eventId: event.eventId, message: ACCEPTED_MESSAGE } };
    },
  ).catch((error: unknown) => {
    // The same eventId with another body is a replay all the same.
    if (error instanceof BridgeError && error.code === 'idempotency_key_reused')
      return { status: 409, body: null, replayed: true };
    throw error;
  });
  if (answer.replayed) {
    throw new BridgeError(409, 'duplicate_event', `Event ${event.eventId} from ${source} was already received`);
  }
  return jsonResponse(answer.status, answer.body);
}
