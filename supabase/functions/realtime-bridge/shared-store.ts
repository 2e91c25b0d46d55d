import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { upstreamError } from './caller.ts';

/*
 * The Idempotency-Key store and the rate limiter, in the database (migration
 * 20261201110000_bridge_store.sql) so every isolate of the function sees the same state.
 */

export const claimSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('claimed') }),
  z.object({ state: z.literal('pending') }),
  z.object({ state: z.literal('mismatch') }),
  z.object({ state: z.literal('done'), status: z.int(), body: z.unknown() }),
]);
export type IdempotencyClaim = z.infer<typeof claimSchema>;

async function rpc<T>(
  service: SupabaseClient,
  name: string,
  args: Record<string, unknown>,
  schema: z.ZodType<T>,
): Promise<T> {
  const { data, error } = await service.rpc(name, args);
  if (error) throw upstreamError(name, error);
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw upstreamError(name, { message: `unexpected answer ${JSON.stringify(data)}` });
  return parsed.data;
}

export function claimIdempotencyKey(
  service: SupabaseClient,
  caller: string,
  key: string,
  requestHash: string,
  ttlSeconds: number,
): Promise<IdempotencyClaim> {
  return rpc(
    service,
    'bridge_idempotency_claim',
    { p_caller: caller, p_key: key, p_request_hash: requestHash, p_ttl_seconds: ttlSeconds },
    claimSchema,
  );
}

export async function completeIdempotencyKey(
  service: SupabaseClient,
  caller: string,
  key: string,
  status: number,
  body: unknown,
): Promise<void> {
  await rpc(
    service,
    'bridge_idempotency_complete',
    { p_caller: caller, p_key: key, p_status: status, p_body: body },
    z.unknown(),
  );
}

export async function releaseIdempotencyKey(service: SupabaseClient, caller: string, key: string): Promise<void> {
  await rpc(service, 'bridge_idempotency_release', { p_caller: caller, p_key: key }, z.unknown());
}

export function memberByEmail(service: SupabaseClient, organizationId: string, email: string): Promise<string | null> {
  return rpc(service, 'bridge_member_by_email', { p_org: organizationId, p_email: email }, z.string().nullable());
}

/** Hex SHA-256 of the raw body: a key reused with another body is refused, not replayed. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
