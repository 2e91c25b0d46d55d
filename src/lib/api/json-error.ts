import { NextResponse } from 'next/server';
import { BridgeRequestError } from '../../server/index.ts';

/** The one error shape of the dashboard's API, the same as the bridge's: `{ error: { code, message, details? } }`. */
export function jsonError(status: number, code: string, message: string, details?: unknown): NextResponse {
  return NextResponse.json({ error: { code, message, ...(details === undefined ? {} : { details }) } }, { status });
}

/** A bridge refusal keeps its status and reason; anything else means the bridge could not be reached. */
export function bridgeErrorResponse(error: unknown): NextResponse {
  if (error instanceof BridgeRequestError) return jsonError(error.status, error.code, error.message, error.details);
  const message = error instanceof Error ? error.message : String(error);
  return jsonError(502, 'bridge_unreachable', `The realtime bridge could not be reached: ${message}`);
}
