import { BridgeError } from './http-error.ts';

/** How far X-Pubdev-Timestamp may be from the bridge's clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * `X-Pubdev-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`.
 *
 * RATIONALE: the timestamp is inside the signed text; signing the body alone would let anyone
 * who captured one request replay it later with a fresh timestamp header.
 */
export async function signIntegrationBody(secret: string, timestamp: string, rawBody: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const prefix = new TextEncoder().encode(`${timestamp}.`);
  const signed = new Uint8Array(prefix.byteLength + rawBody.byteLength);
  signed.set(prefix);
  signed.set(rawBody, prefix.byteLength);
  const mac = await crypto.subtle.sign('HMAC', key, signed);
  return `sha256=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export async function verifyIntegrationSignature(
  req: Request,
  secret: string,
  rawBody: Uint8Array,
  nowMs: number,
): Promise<void> {
  const timestamp = req.headers.get('x-pubdev-timestamp') ?? '';
  const signature = req.headers.get('x-pubdev-signature') ?? '';
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new BridgeError(401, 'invalid_signature', 'X-Pubdev-Timestamp must be the signing time in Unix seconds');
  }
  const skew = Math.abs(nowMs / 1000 - Number(timestamp));
  if (skew > SIGNATURE_TOLERANCE_SECONDS) {
    throw new BridgeError(
      401,
      'stale_timestamp',
      `X-Pubdev-Timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} s from the server's clock`,
    );
  }
  const expected = await signIntegrationBody(secret, timestamp, rawBody);
  if (!constantTimeEqual(expected, signature)) {
    throw new BridgeError(401, 'invalid_signature', 'X-Pubdev-Signature does not match the body');
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
