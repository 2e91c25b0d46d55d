import { BridgeError } from './http-error.ts';

/** The largest body the bridge reads; far above any contract message. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * Reads the raw body, refusing with 413 as soon as more than `limit` bytes have arrived.
 *
 * RATIONALE: counted while streaming, not after `req.text()`: a client sending gigabytes must
 * not make the isolate buffer them first (Content-Length may be absent or lie).
 */
export async function readRawBody(req: Request, limit = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!req.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** Strict UTF-8 JSON; 400 naming what is wrong. */
export function parseJsonBody(raw: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new BridgeError(400, 'invalid_json', 'The body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BridgeError(400, 'invalid_json', `The body is not valid JSON: ${(error as Error).message}`);
  }
}

function tooLarge(limit: number): BridgeError {
  return new BridgeError(413, 'payload_too_large', `The body exceeds ${limit} bytes`);
}
