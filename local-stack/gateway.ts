import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { StackConfig } from './config.ts';
import { answerPreflight, isPreflight, setResponseCorsHeaders } from './cors.ts';
import { errorMessage } from './errors.ts';
import { sendJson } from './http.ts';
import { checkApiKey, type GatewayRefusal } from './request-identity.ts';
import type { LocalService } from './service.ts';

const KEEP_ALIVE_MS = 60_000;
/** Connections waiting to be accepted (Node's default is 511): a stack busy for a moment keeps them. */
const LISTEN_BACKLOG = 4096;

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
export interface GatewayHealth {
  ok: boolean;
  /** The body: `ok`, or what is down. */
  message: string;
}

export async function startGateway(options: {
  host: string;
  port: number;
  keys: StackConfig;
  /** What `/health` answers (200 when `ok`, else 503); always 200 `ok` without it. Must not reject. */
  health?: () => Promise<GatewayHealth>;
}): Promise<Gateway> {
  const services: LocalService[] = [];
  const find = (pathname: string) => services.find((s) => pathname === s.prefix || pathname.startsWith(`${s.prefix}/`));

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    // Kong's cors plugin runs before key-auth: a preflight, which carries no API key, is answered here.
    if (isPreflight(req)) {
      answerPreflight(req, res);
      return;
    }
    setResponseCorsHeaders(res);
    if (url.pathname === '/healthcheck' || url.pathname === '/health') {
      void (options.health?.() ?? Promise.resolve({ ok: true, message: 'ok' })).then(({ ok, message }) => {
        res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
        res.end(message);
      });
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

  // Kong's (nginx's) keep-alive of 60 s, where Node's default is 5 s: a client that polls every
  // few seconds keeps its connection instead of opening a new one each time. Under load, those
  // reconnects were what filled the listen queue (connect timeouts) and raced the server closing
  // an idle connection as a request went out on it (ECONNRESET). Headers must outlive keep-alive.
  const server: Server = createServer(
    { keepAliveTimeout: KEEP_ALIVE_MS, headersTimeout: KEEP_ALIVE_MS + 5000 },
    onRequest,
  );
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
    server.listen({ port: options.port, host: options.host, backlog: LISTEN_BACKLOG }, () => resolve());
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
