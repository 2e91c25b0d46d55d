import { z } from 'zod';

const claimsSchema = z.object({ sub: z.string().min(1), exp: z.number(), iat: z.number().optional() });

export type AccessTokenClaims = z.infer<typeof claimsSchema>;

/** The claims the core needs from a Supabase access token; `null` for anything that is not one (the anon key has no `sub`). */
export function readAccessTokenClaims(token: string | null | undefined): AccessTokenClaims | null {
  const payload = token?.split('.')[1];
  if (!payload) return null;
  try {
    const json: unknown = JSON.parse(new TextDecoder().decode(base64UrlBytes(payload)));
    const parsed = claimsSchema.safeParse(json);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function base64UrlBytes(text: string): Uint8Array {
  const base64 = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  const binary = atob(base64);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * How long before expiry to refresh: a third of the token's lifetime, at least 1 s and at most
 * 60 s. An hour-long token refreshes a minute early (time for a retry or two); a token that lives
 * a few seconds still reaches Realtime (setAuth pushes it to every channel) well before expiry.
 */
export function refreshMarginMs(claims: AccessTokenClaims, nowMs: number): number {
  const lifetimeMs = (claims.exp - (claims.iat ?? nowMs / 1000)) * 1000;
  return Math.min(60_000, Math.max(1000, lifetimeMs / 3));
}
