import { z } from 'zod';
import type { MessageType } from '../../../src/contract/message-types.ts';
import { upstreamError, type Bearer, type Caller, type Membership, type OrgRole } from './caller.ts';
import type { BridgeClients } from './clients.ts';
import type { BridgeEnv } from './env.ts';
import { BridgeError } from './http-error.ts';
import { MAY_SEND, assertMaySend } from './role-table.ts';
import { claimSchema, type IdempotencyClaim } from './shared-store.ts';

/** What an admitted POST /broadcast may do: who the caller is, their standing, and the key claim. */
export interface Admission {
  readonly caller: Caller;
  readonly membership: Membership;
  /** The first claim of the Idempotency-Key; null without one. */
  readonly claim: IdempotencyClaim | null;
}

export interface AdmissionRequest {
  readonly organizationId: string;
  readonly type: MessageType;
  readonly idempotency: { readonly key: string; readonly requestHash: string; readonly ttlSeconds: number } | null;
}

const ROLES = ['service', 'owner', 'admin', 'member', 'agent'] as const satisfies readonly OrgRole[];

const answerSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('invalid_token') }),
  z.object({ outcome: z.literal('not_a_member') }),
  z.object({ outcome: z.literal('type_not_allowed'), role: z.enum(ROLES) }),
  z.object({ outcome: z.literal('rate_limited'), retryAfterMs: z.int() }),
  z.object({
    outcome: z.literal('admitted'),
    role: z.enum(ROLES),
    territories: z.array(z.string()),
    userId: z.string().nullable(),
    email: z.string().nullable(),
    claim: claimSchema.nullable(),
  }),
]);

/** PostgREST's JWT errors (PGRST30x: malformed, bad signature, expired, …). */
const TOKEN_REFUSED = /^PGRST30\d$/;

/**
 * Admits one POST /broadcast in a single database round trip (`bridge_admit`, called with the
 * caller's own token): the caller and their role in the organisation, the role table, the rate
 * limit, the Idempotency-Key claim. Each refusal is the bridge's usual answer.
 */
export async function admit(
  bearer: Bearer,
  request: AdmissionRequest,
  env: BridgeEnv,
  clients: BridgeClients,
): Promise<Admission> {
  const client = bearer.kind === 'service' ? clients.service : clients.asCaller(bearer.token);
  const { organizationId, type, idempotency } = request;
  const { data, error } = await client.rpc('bridge_admit', {
    p_org: organizationId,
    p_allowed_roles: ROLES.filter((role) => MAY_SEND[role].includes(type)),
    p_limit: env.BRIDGE_RATE_LIMIT_PER_SECOND,
    p_key: idempotency?.key ?? null,
    p_request_hash: idempotency?.requestHash ?? null,
    p_ttl_seconds: idempotency?.ttlSeconds ?? env.BRIDGE_IDEMPOTENCY_TTL_SECONDS,
  });
  if (error) {
    if (TOKEN_REFUSED.test(error.code ?? '')) throw invalidToken();
    throw upstreamError('bridge_admit', error);
  }
  const parsed = answerSchema.safeParse(data);
  if (!parsed.success) throw upstreamError('bridge_admit', { message: `unexpected answer ${JSON.stringify(data)}` });
  const answer = parsed.data;
  switch (answer.outcome) {
    case 'invalid_token':
      throw invalidToken();
    case 'not_a_member':
      throw new BridgeError(403, 'not_a_member', `You are not a member of organisation ${organizationId}`);
    case 'type_not_allowed':
      assertMaySend(answer.role, type);
      throw upstreamError('bridge_admit', {
        message: `refused ${answer.role} for ${type}, which the role table allows`,
      });
    case 'rate_limited':
      throw new BridgeError(
        429,
        'rate_limited',
        `More than ${env.BRIDGE_RATE_LIMIT_PER_SECOND} requests per second for organisation ${organizationId}`,
        { retryAfterMs: answer.retryAfterMs },
        { 'retry-after': String(Math.max(1, Math.ceil(answer.retryAfterMs / 1000))) },
      );
    case 'admitted': {
      const caller: Caller =
        bearer.kind === 'service'
          ? { kind: 'service', id: 'service_role', token: bearer.token }
          : { kind: 'user', id: answer.userId ?? '', email: answer.email, token: bearer.token };
      return { caller, membership: { role: answer.role, territories: answer.territories }, claim: answer.claim };
    }
  }
}

function invalidToken(): BridgeError {
  return new BridgeError(401, 'invalid_token', 'The access token is invalid or expired');
}
