import type { SupabaseClient } from '@supabase/supabase-js';
import type { BridgeClients } from './clients.ts';
import type { BridgeEnv } from './env.ts';
import { BridgeError } from './http-error.ts';

/** Who is calling: the service role (by its key) or a signed-in user (by their access token). */
export type Caller =
  | { readonly kind: 'service'; readonly id: 'service_role'; readonly token: string }
  | { readonly kind: 'user'; readonly id: string; readonly email: string | null; readonly token: string };

/** The caller's standing in one organisation; `service` is the service role. */
export type OrgRole = 'service' | 'owner' | 'admin' | 'member' | 'agent';

export interface Membership {
  readonly role: OrgRole;
  /** Territories a member is limited to; empty means all. */
  readonly territories: readonly string[];
}

/** A bearer token read from the request, before anything has checked it. */
export type Bearer =
  | { readonly kind: 'service'; readonly token: string }
  | { readonly kind: 'user'; readonly token: string };

/**
 * Reads `Authorization: Bearer`. The service role is recognised by its exact key and the anon key
 * is refused, both without the database; any other token still has to be checked.
 */
export function readBearer(req: Request, env: BridgeEnv): Bearer {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.get('authorization') ?? '');
  if (!match?.[1])
    throw new BridgeError(401, 'missing_token', 'Send Authorization: Bearer <access token or service role key>');
  const token = match[1];
  if (token === env.SUPABASE_SERVICE_ROLE_KEY) return { kind: 'service', token };
  if (token === env.SUPABASE_ANON_KEY) {
    throw new BridgeError(
      403,
      'anonymous_caller',
      'The anon key may not use the bridge: sign in and send your access token',
    );
  }
  return { kind: 'user', token };
}

/**
 * Authenticates the bearer token (GET /stats, GET /health). Anything but the service role key must
 * be a user's access token that Auth still accepts (a signature alone is not enough: a signed-out
 * session is refused there). POST /broadcast does the same check inside its admission
 * (admission.ts), in the same round trip as the rest.
 */
export async function authenticateCaller(req: Request, env: BridgeEnv, clients: BridgeClients): Promise<Caller> {
  const bearer = readBearer(req, env);
  if (bearer.kind === 'service') return { kind: 'service', id: 'service_role', token: bearer.token };
  const { data, error } = await clients.service.auth.getUser(bearer.token);
  if (error || !data.user) throw new BridgeError(401, 'invalid_token', 'The access token is invalid or expired');
  return { kind: 'user', id: data.user.id, email: data.user.email ?? null, token: bearer.token };
}

/** The caller's role in `organizationId`, read with the caller's own token (RLS shows members their roster). */
export async function membershipOf(
  caller: Caller,
  organizationId: string,
  clients: BridgeClients,
): Promise<Membership> {
  if (caller.kind === 'service') return { role: 'service', territories: [] };
  const { data, error } = await clients
    .asCaller(caller.token)
    .from('organization_members')
    .select('role, territories')
    .eq('organization_id', organizationId)
    .eq('user_id', caller.id)
    .maybeSingle();
  if (error) throw upstreamError('membership lookup', error);
  if (!data) throw new BridgeError(403, 'not_a_member', `You are not a member of organisation ${organizationId}`);
  return { role: data.role as OrgRole, territories: (data.territories as string[] | null) ?? [] };
}

/** Whether `userId` is a member of `organizationId` (service role; for recipients of notifications). */
export async function isMember(service: SupabaseClient, organizationId: string, userId: string): Promise<boolean> {
  const { data, error } = await service
    .from('organization_members')
    .select('user_id')
    .eq('organization_id', organizationId)
    .eq('user_id', userId)
    .maybeSingle();
  if (error) throw upstreamError('membership lookup', error);
  return data !== null;
}

export function upstreamError(what: string, error: { message: string; code?: string }): BridgeError {
  return new BridgeError(
    502,
    'upstream_error',
    `${what} failed: ${error.message}`,
    error.code ? { code: error.code } : undefined,
  );
}
