import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { StackConfig } from './config.ts';
import { errorMessage } from './errors.ts';
import { sendJson } from './http.ts';
import { checkApiKey, type GatewayRefusal } from './request-identity.ts';
import type { LocalService } from './service.ts';

/** Supabase's gateway answers browsers from any origin (Kong's cors plugin). */
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD',
  'access-control-allow-headers':
    'authorization, x-client-info, apikey, content-type, content-profile, accept-profile, prefer, range, x-upsert, x-region, x-supabase-api-version, accept, x-api-key',
  'access-control-expose-headers':
    'content-range, content-location, x-supabase-api-version, x-rate-limit, x-rate-limit-remaining',
  'access-control-max-age': '86400',
} as const;

export interface Gateway {
  readonly url: string;
  readonly port: number;
  mount(service: LocalService): void;
  close(): Promise<void>;
}

function refuseUpgrade(socket: Duplex, refusal: GatewayRefusal): void {
  const body = JSON.stringify(refusal.body);
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `access-control-allow-origin: *\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * One HTTP server, the way `supabase start` serves every API on one port, routed by path prefix.
 * Services marked `requiresApiKey` get the gateway's key check first, for plain requests and
 * WebSocket upgrades alike (Kong's key-auth on the route).
 */
export async function startGateway(options: { host: string; port: number; keys: StackConfig }): Promise<Gateway> {
  const services: LocalService[] = [];
  const find = (pathname: string) => services.find((s) => pathname === s.prefix || pathname.startsWith(`${s.prefix}/`));

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (url.pathname === '/healthcheck' || url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    const service = find(url.pathname);
    if (!service) {
      sendJson(res, 404, { message: 'no Route matched with those values' });
      return;
    }
    const open = service.openPaths?.includes(url.pathname.replace(/\/$/, '')) ?? false;
    const refusal = service.requiresApiKey && !open ? checkApiKey(req, url, options.keys) : undefined;
    if (refusal) {
      sendJson(res, refusal.status, refusal.body);
      return;
    }
    Promise.resolve()
      .then(() => service.handleRequest(req, res, url))
      .catch((error: unknown) => {
        // A bug in one handler answers 500 and leaves the server up.
        sendJson(res, 500, { message: 'Internal server error', error: errorMessage(error) });
      });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const service = find(url.pathname);
    if (!service?.handleUpgrade) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const refusal = service.requiresApiKey ? checkApiKey(req, url, options.keys) : undefined;
    if (refusal) {
      refuseUpgrade(socket, refusal);
      return;
    }
    service.handleUpgrade(req, socket, head, url);
  };

  const server: Server = createServer(onRequest);
  server.on('upgrade', onUpgrade);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // With a listener Node no longer answers by itself: reply as it (and Kong) would, so a client
    // that sent oversized headers or a garbled request line sees a status instead of a reset.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify({ message: status === 431 ? 'Request header fields too large' : 'Bad request' });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host}:${port}`;

  return {
    url,
    port,
    mount(service) {
      services.push(service);
    },
    async close() {
      await Promise.all(services.splice(0).map((s) => s.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
