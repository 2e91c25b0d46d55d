import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS as the gateway of `supabase start` answers it: Kong 2.8's cors plugin with no options on
 * every route (supabase/cli internal/start/templates/kong.yml). A preflight (OPTIONS with Origin
 * and Access-Control-Request-Method) never reaches a service: the gateway answers 200 itself,
 * allowing any origin, echoing Access-Control-Request-Headers whatever they name, listing Kong's
 * default methods and sending no Access-Control-Max-Age (browsers then cache it for 5 s).
 * Every other response carries Access-Control-Allow-Origin: *.
 */
const KONG_DEFAULT_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT';

/**
 * What the services expose to browsers on their own (PostgREST: Content-Range for counts and
 * Content-Location; Supabase's API: its version and rate-limit headers). Kong adds none.
 */
const EXPOSED_HEADERS = 'content-range, content-location, x-supabase-api-version, x-rate-limit, x-rate-limit-remaining';

export function isPreflight(req: IncomingMessage): boolean {
  return req.method === 'OPTIONS' && !!req.headers.origin && !!req.headers['access-control-request-method'];
}

export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('access-control-allow-origin', '*');
  const requested = req.headers['access-control-request-headers'];
  if (requested) res.setHeader('access-control-allow-headers', requested);
  res.setHeader('access-control-allow-methods', KONG_DEFAULT_METHODS);
  res.writeHead(200, { 'content-length': '0' });
  res.end();
}

/** The headers every non-preflight response starts with; a service may override them. */
export function setResponseCorsHeaders(res: ServerResponse): void {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
}
