import type { IncomingMessage } from 'node:http';
import type { StackConfig } from '../config.ts';
import type { JwtClaims } from '../db/index.ts';
import { headerValue } from '../http.ts';
import { identify } from '../request-identity.ts';
import type { Vsn } from './serializer.ts';

export type ConnectRefusal = { status: 401 | 403 | 404 | 429 | 500; error: string };

export interface ConnectGrant {
  /** The connect key as a JWT (`sb_…` keys already swapped), the join fallback token (§2.2). */
  token: string;
  claims: JwtClaims & { exp: number };
  vsn: Vsn;
  /** The upgrade's `x-*` headers: all Realtime passes to RLS as `request.headers` for joins (§6.2). */
  xHeaders: Record<string, string>;
}

/**
 * Authenticates a WebSocket upgrade as Realtime's `UserSocket.connect/3` does (§1.2, §1.3):
 * `x-api-key` header over `apikey` query, JWT verified with the project secret, vsn negotiated.
 */
export async function authenticateUpgrade(
  req: IncomingMessage,
  url: URL,
  config: StackConfig,
  now: Date,
): Promise<{ ok: true; grant: ConnectGrant } | ({ ok: false } & ConnectRefusal)> {
  // Plug keeps the last of repeated query keys; realtime-js appends its own `vsn` after any in `params`.
  const vsnParam = url.searchParams.getAll('vsn').at(-1) ?? '1.0.0';
  const vsn = /^1\.0(\.\d+)?$/.test(vsnParam) ? '1.0.0' : /^2\.0(\.\d+)?$/.test(vsnParam) ? '2.0.0' : null;
  if (!vsn) return { ok: false, status: 403, error: `Unsupported serializer version: ${vsnParam}` };
  // The gateway has already checked the `apikey`; Realtime itself reads `x-api-key` first (§1.2).
  const rawKey = headerValue(req, 'x-api-key') ?? url.searchParams.get('apikey') ?? undefined;
  const verified = await identify(config, rawKey, now);
  if (!verified.ok) return { ok: false, status: 401, error: verified.message };
  const { token, claims } = verified.identity;
  const xHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-') && value !== undefined) xHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { ok: true, grant: { token, claims, vsn, xHeaders } };
}
