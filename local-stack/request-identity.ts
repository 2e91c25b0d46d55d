import type { IncomingMessage } from 'node:http';
import { resolveApiKey, type StackConfig } from './config.ts';
import type { JwtClaims } from './db/index.ts';
import { bearerToken, headerValue } from './http.ts';
import { verifyJwt, type JwtFailure } from './jwt.ts';

/**
 * Who a request is, decided once for every service: the gateway's API-key check (what Supabase's
 * gateway does before a request reaches PostgREST, Realtime or Auth), then the token the request
 * runs as (`Authorization: Bearer …`, else the API key), with `sb_publishable_…`/`sb_secret_…`
 * keys swapped for the JWTs they stand for, then verified with the project's secret. Each
 * service only maps a refusal onto its own answer shape.
 */

/** Supabase's gateway answers, word for word, for a request with no key and with a key it does not know. */
const NO_API_KEY = {
  message: 'No API key found in request',
  hint: 'No `apikey` request header or url param was found.',
} as const;
const INVALID_API_KEY = {
  message: 'Invalid API key',
  hint: 'Double check your Supabase `anon` or `service_role` API key.',
} as const;

export interface GatewayRefusal {
  status: 401;
  body: typeof NO_API_KEY | typeof INVALID_API_KEY;
}

/**
 * The gateway's key check: the `apikey` header, else the `apikey` query parameter (browsers
 * cannot set headers on a WebSocket, so realtime-js sends it there), must be one of the project's
 * keys. A user's access token is not a key: RATIONALE — accepting any validly signed JWT here
 * would let code that works locally fail on Supabase, whose gateway refuses it.
 */
export function checkApiKey(req: IncomingMessage, url: URL, config: StackConfig): GatewayRefusal | undefined {
  const key = headerValue(req, 'apikey') ?? url.searchParams.get('apikey') ?? undefined;
  if (key === undefined || key === '') return { status: 401, body: NO_API_KEY };
  const known = [config.anonKey, config.serviceRoleKey, config.publishableKey, config.secretKey];
  return known.includes(key) ? undefined : { status: 401, body: INVALID_API_KEY };
}

interface RequestIdentity {
  /** The verified JWT (an `sb_` key already swapped for its JWT). */
  token: string;
  claims: JwtClaims & { exp: number };
}

export type IdentityResult =
  | { ok: true; identity: RequestIdentity }
  | ({ ok: false; token: string | undefined } & JwtFailure);

/** Verifies a credential as the gateway forwards it: `sb_` keys become their JWTs first. */
export async function identify(
  config: StackConfig,
  credential: string | undefined,
  now?: Date,
): Promise<IdentityResult> {
  const token = credential === undefined || credential === '' ? undefined : resolveApiKey(config, credential);
  const verified = await verifyJwt(token, config.jwtSecret, now);
  if (!verified.ok) return { ...verified, ok: false, token };
  return { ok: true, identity: { token: token!, claims: verified.claims } };
}

export interface IdentityOptions {
  /** Fall back to the `apikey` header when there is no bearer token (PostgREST and Realtime's REST API do; the functions relay does not). */
  apiKeyFallback: boolean;
  now?: Date;
}

/** The identity of an HTTP request: its bearer token, else (when allowed) its API key. */
export function requestIdentity(
  req: IncomingMessage,
  config: StackConfig,
  options: IdentityOptions,
): Promise<IdentityResult> {
  const credential = bearerToken(req) ?? (options.apiKeyFallback ? headerValue(req, 'apikey') : undefined);
  return identify(config, credential, options.now);
}
