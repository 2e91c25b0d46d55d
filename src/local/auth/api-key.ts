import type { IncomingMessage } from 'node:http';
import type { StackConfig } from '../config.ts';
import { headerValue } from '../http.ts';

/** Kong's key-auth refusals, as `supabase start`'s gateway sends them in front of /auth/v1. */
export type ApiKeyRefusal = { status: 401; body: { message: 'No API key found in request' | 'Invalid authentication credentials' } };

/**
 * Supabase's gateway lets a request through to Auth only with one of the project's API keys in
 * the `apikey` header (or `?apikey=`); returns the refusal to send, or undefined when it passes.
 */
export function checkApiKey(req: IncomingMessage, url: URL, config: StackConfig): ApiKeyRefusal | undefined {
  const key = headerValue(req, 'apikey') ?? url.searchParams.get('apikey') ?? undefined;
  if (!key) return { status: 401, body: { message: 'No API key found in request' } };
  const known = [config.anonKey, config.serviceRoleKey, config.publishableKey, config.secretKey];
  if (!known.includes(key)) return { status: 401, body: { message: 'Invalid authentication credentials' } };
  return undefined;
}
