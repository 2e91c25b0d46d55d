import type { IncomingMessage } from 'node:http';
import { headerValue } from '../http.ts';

export interface RedirectRules {
  siteUrl: string;
  additionalRedirectUrls: readonly string[];
}

function isLocalhost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return ['localhost', '127.0.0.1', '::1', '0.0.0.0', '::'].includes(host) || host.endsWith('.localhost');
}

function isLoopbackIp(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return /^127(?:\.\d{1,3}){3}$/.test(host) || host === '::1';
}

/**
 * An allow-list entry as Supabase Auth compiles it (gobwas/glob with `.` and `/` as separators):
 * `*` matches within one host label or path segment, `**` across them, `?` one character;
 * everything else literally. So `http://localhost:3000/**` admits every path under that origin.
 */
function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^./]*';
    else if (c === '?') source += '[^./]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * GoTrue's `IsRedirectURLValid`: the site URL's scheme and host (any port on a loopback host),
 * any loopback IP, or a match of an `additional_redirect_urls` glob (without the fragment).
 * Decimal-only hosts and unusual host names are never allowed.
 */
export function isRedirectUrlAllowed(rules: RedirectRules, redirectUrl: string): boolean {
  if (redirectUrl === '') return false;
  let base: URL;
  let target: URL;
  try {
    base = new URL(rules.siteUrl);
    target = new URL(redirectUrl);
  } catch {
    return false;
  }
  if (
    base.hostname === target.hostname &&
    base.protocol === target.protocol &&
    (base.port === target.port || isLocalhost(target.hostname))
  ) {
    return true;
  }
  const isHttp = target.protocol === 'http:' || target.protocol === 'https:';
  const hostname = target.hostname;
  if (/^[0-9]+$/.test(hostname)) return false;
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith('[')) return isLoopbackIp(hostname);
  if (isHttp && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(hostname)) return false;
  const withoutFragment = redirectUrl.split('#')[0] ?? '';
  return rules.additionalRedirectUrls.some((pattern) => globToRegExp(pattern).test(withoutFragment));
}

/**
 * GoTrue's `GetReferrer`: where an email link (and /verify after it) sends the person — the
 * request's `redirect_to` (header or query parameter) when allowed, else its Referer when allowed,
 * else the site URL. A `redirect_to` that is not allowed is dropped silently, as in Supabase.
 */
export function referrer(req: IncomingMessage, url: URL, rules: RedirectRules): string {
  const requested = headerValue(req, 'redirect_to') || url.searchParams.get('redirect_to') || '';
  if (isRedirectUrlAllowed(rules, requested)) return requested;
  const referer = headerValue(req, 'referer') ?? '';
  if (isRedirectUrlAllowed(rules, referer)) return referer;
  return rules.siteUrl;
}
