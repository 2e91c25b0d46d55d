import { ContractError } from './contract-error.ts';
import { realtimeMessageSchema } from './message-schemas.ts';
import type { RealtimeMessage } from './message-schemas.ts';
import { isMessageType } from './message-types.ts';

export type ParseMessageResult =
  | { readonly ok: true; readonly message: RealtimeMessage }
  | { readonly ok: false; readonly error: ContractError };

/**
 * Validates an incoming payload (broadcast, REST body, backfilled row) against the contract.
 * Issue paths start with the message type, or with `envelope` when the type itself is unknown:
 * `agent_status.data.progress.progress: Too big: expected number to be <=100`.
 */
export function parseMessage(input: unknown): ParseMessageResult {
  const result = realtimeMessageSchema.safeParse(input);
  if (result.success) return { ok: true, message: result.data };
  const type = typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
  const root = isMessageType(type) ? type : 'envelope';
  return { ok: false, error: ContractError.fromZod('invalid_message', root, result.error) };
}

/** Like {@link parseMessage}, but throws the `ContractError`. */
export function assertMessage(input: unknown): RealtimeMessage {
  const result = parseMessage(input);
  if (!result.ok) throw result.error;
  return result.message;
}
