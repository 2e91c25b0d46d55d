import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { MESSAGE_TYPES, type MessageType } from '../contract/index.ts';
import { RealtimeError } from './realtime-error.ts';
import type { Database } from '../contract/index.ts';

/** Who receives a message sent through the bridge; absent: the whole organisation. */
export type SendTarget =
  | { readonly userId: string }
  | { readonly territory: string }
  | { readonly publisherId: string };

export interface OutgoingMessage {
  readonly type: MessageType;
  readonly data: unknown;
  readonly target?: SendTarget;
}

export type SendResult =
  | { readonly ok: true; readonly id: string; readonly type: MessageType; readonly topic: string }
  | { readonly ok: false; readonly error: RealtimeError };

const acceptedSchema = z.object({ id: z.string(), type: z.enum(MESSAGE_TYPES), topic: z.string() });
const refusedSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** The bridge's URL beside Realtime's: `<project>/functions/v1/realtime-bridge/broadcast`. */
export function bridgeUrlOf(supabase: SupabaseClient<Database>): string {
  const endpoint = new URL(supabase.realtime.endPoint);
  endpoint.protocol = endpoint.protocol === 'wss:' ? 'https:' : 'http:';
  endpoint.pathname =
    endpoint.pathname.replace(/\/realtime\/v1\/websocket$/, '') + '/functions/v1/realtime-bridge/broadcast';
  endpoint.search = '';
  return endpoint.toString();
}

/**
 * Posts one message to the realtime bridge with the user's session. The bridge validates it,
 * decides whether this user may send it there, and broadcasts it; its refusal comes back as a
 * RealtimeError with the bridge's code, message and HTTP status, never as a throw.
 */
export async function postToBridge(
  supabase: SupabaseClient<Database>,
  fetchImpl: typeof fetch,
  url: string,
  organizationId: string,
  message: OutgoingMessage,
): Promise<SendResult> {
  const operation = 'sendMessage';
  const token = supabase.realtime.accessTokenValue;
  const apikey = (supabase.realtime.params as { apikey?: string } | undefined)?.apikey;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(apikey ? { apikey } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({
        organizationId,
        ...(message.target ? { target: message.target } : {}),
        message: { type: message.type, data: message.data },
      }),
    });
  } catch (cause) {
    return { ok: false, error: RealtimeError.from({ kind: 'request', operation }, cause) };
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.status === 202) {
    const accepted = acceptedSchema.safeParse(body);
    if (accepted.success) return { ok: true, ...accepted.data };
  }
  const refused = refusedSchema.safeParse(body);
  const text = refused.success
    ? `${refused.data.error.code}: ${refused.data.error.message}`
    : `HTTP ${response.status}`;
  return {
    ok: false,
    error: new RealtimeError({ kind: 'request', operation, status: response.status }, text, { cause: body }),
  };
}
