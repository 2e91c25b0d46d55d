/**
 * CORS as `supabase start`'s gateway answers it (Kong's cors plugin with no options): a preflight
 * is answered by the gateway itself with 200, any origin, the requested headers echoed whatever
 * they name, Kong's default methods and no max-age. Checked on the wire with raw requests, and from
 * real Chromium with a custom `x-` header the stack has never heard of, beside a server that
 * answers preflights with a fixed header list (the browser refuses that one, so the check bites).
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../local-stack/index.ts';
import { startAuthStack, type AuthStack } from '../_support/auth-stack.ts';
import { launchChromium } from '../e2e/_browser.ts';

const KONG_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT';
const NEVER_SEEN = 'x-pubdev-trace-7f3a';
const PAGE_ORIGIN_HTML = '<!doctype html><title>another origin</title>';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request exactly as written: no fetch implementation deciding which headers a caller may send. */
function raw(url: string, method: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('CORS at the gateway, as Kong answers it in `supabase start`', () => {
  let auth: AuthStack;
  beforeAll(async () => {
    auth = await startAuthStack('pglite');
  });
  afterAll(() => auth?.stop());

  const PATHS = [
    '/rest/v1/publishers',
    '/auth/v1/token',
    '/realtime/v1/api/broadcast',
    '/functions/v1/realtime-bridge',
  ];

  it.each(PATHS)('answers a preflight to %s itself: 200, echoed headers, Kong’s methods, no max-age', async (path) => {
    const requested = `${NEVER_SEEN}, authorization, apikey, content-type, x-client-info`;
    const response = await raw(`${auth.stack.url}${path}`, 'OPTIONS', {
      origin: 'http://app.example.test',
      'access-control-request-method': 'POST',
      'access-control-request-headers': requested,
    });
    expect(response).toMatchObject({ status: 200, body: '' });
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['access-control-allow-headers']).toBe(requested);
    expect(response.headers['access-control-allow-methods']).toBe(KONG_METHODS);
    expect(response.headers['access-control-max-age']).toBeUndefined();
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('allows no headers in a preflight that asks for none', async () => {
    const response = await raw(`${auth.stack.url}/rest/v1/publishers`, 'OPTIONS', {
      origin: 'http://app.example.test',
      'access-control-request-method': 'GET',
    });
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-headers']).toBeUndefined();
  });

  it('gives every other response Access-Control-Allow-Origin: *', async () => {
    const response = await raw(`${auth.stack.url}/rest/v1/publishers?select=id`, 'GET', {
      origin: 'http://app.example.test',
      apikey: auth.stack.config.anonKey,
    });
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });

  describe('from Chromium, on a page of another origin', () => {
    let browser: Browser;
    let pageServer: Server;
    let pageUrl: string;
    let strictServer: Server;
    let strictUrl: string;
    const strictPreflights: string[] = [];
    beforeAll(async () => {
      browser = await launchChromium();
      pageServer = createServer((_req, res) =>
        res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE_ORIGIN_HTML),
      );
      pageUrl = await listen(pageServer);
      // The control: a preflight answer with a fixed list, as the stack's gateway used to give.
      strictServer = createServer((req, res) => {
        if (req.method === 'OPTIONS') strictPreflights.push(String(req.headers['access-control-request-headers']));
        res.writeHead(req.method === 'OPTIONS' ? 204 : 200, {
          'access-control-allow-origin': '*',
          'access-control-allow-headers': 'authorization, apikey, content-type',
          'content-type': 'application/json',
        });
        res.end('[]');
      });
      strictUrl = await listen(strictServer);
    });
    afterAll(async () => {
      await browser?.close();
      pageServer?.close();
      strictServer?.close();
    });

    /** Runs fetch in the page: the browser does the preflight and enforces its answer. */
    async function fetchFromPage(
      url: string,
      init: { method?: string; headers: Record<string, string>; body?: string },
    ) {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(pageUrl);
        return await page.evaluate(
          async ({ url, init }) => {
            try {
              const response = await fetch(url, init);
              return { status: response.status, body: (await response.json()) as unknown };
            } catch (error) {
              return { error: String(error) };
            }
          },
          { url, init },
        );
      } finally {
        await context.close();
      }
    }

    it('signs in through /auth/v1 and reads /rest/v1 with a header the stack has never seen', async () => {
      const { anonKey } = auth.stack.config;
      const signIn = await fetchFromPage(`${auth.stack.url}/auth/v1/token?grant_type=password`, {
        method: 'POST',
        headers: { apikey: anonKey, 'content-type': 'application/json', [NEVER_SEEN]: 'sign-in' },
        body: JSON.stringify({ email: fixture.USERS.acmeOwner.email, password: fixture.FIXTURE_PASSWORD }),
      });
      expect(signIn).toMatchObject({ status: 200, body: { token_type: 'bearer' } });
      const token = (signIn as { body: { access_token: string } }).body.access_token;

      const read = await fetchFromPage(`${auth.stack.url}/rest/v1/organizations?select=name`, {
        headers: { apikey: anonKey, authorization: `Bearer ${token}`, [NEVER_SEEN]: 'read' },
      });
      expect(read).toEqual({ status: 200, body: [{ name: fixture.ORGS.acme.name }] });
    });

    it('is refused by Chromium when a preflight answer leaves the header out (the control)', async () => {
      const result = await fetchFromPage(`${strictUrl}/rest/v1/organizations`, {
        headers: { apikey: 'key', [NEVER_SEEN]: 'read' },
      });
      expect(result).toEqual({ error: 'TypeError: Failed to fetch' });
      expect(strictPreflights).toContain(`apikey,${NEVER_SEEN}`);
    });
  });
});
