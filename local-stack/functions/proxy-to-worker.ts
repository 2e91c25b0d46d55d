import { request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { closeIfBodyUnread, sendJson } from '../http.ts';
import type { RunningWorker } from './function-worker.ts';

/** Connection-level headers that belong to one hop, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function forwardable(headers: IncomingMessage['headers']): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/** Supabase's answer when a function dies while handling a request. */
const WORKER_ERROR = {
  code: 'WORKER_ERROR',
  message: 'Function exited due to an error (please check logs)',
} as const;

/**
 * Streams one request to the worker and its response back unchanged — method, `path` (which
 * starts with `/<function name>`, as on Supabase), headers, status and body, chunk by chunk so
 * server-sent events and other streams arrive as they are written.
 */
export function proxyToWorker(
  req: IncomingMessage,
  res: ServerResponse,
  worker: RunningWorker,
  path: string,
  onWorkerLost: (worker: RunningWorker) => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let callerGone = false;
    const upstream = request({
      host: '127.0.0.1',
      port: worker.port,
      method: req.method ?? 'GET',
      path,
      headers: forwardable(req.headers),
      agent: worker.agent,
    });

    upstream.on('response', (answer) => {
      for (const [name, value] of Object.entries(answer.headers)) {
        // The function's own headers win over the gateway's CORS defaults, as functions answer CORS themselves on Supabase.
        if (value !== undefined && !HOP_BY_HOP.has(name)) res.setHeader(name, value);
      }
      // RATIONALE: a function may answer before it has read the whole body (413 while a large
      // body is still arriving). The rest of that body is never read, and the worker's connection
      // may fail after the answer: close the caller's connection after this response instead of
      // letting its client reuse a socket that is about to be torn down (ECONNRESET on the next request).
      closeIfBodyUnread(res);
      res.writeHead(answer.statusCode ?? 502);
      // Sends the status line now: a stream's first event must not wait for its first chunk.
      res.flushHeaders();
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      answer.on('end', resolve);
    });

    upstream.on('error', () => {
      if (callerGone) return resolve();
      // The worker died (or is dying) mid-request.
      onWorkerLost(worker);
      if (!res.headersSent) sendJson(res, 500, WORKER_ERROR);
      else res.destroy();
      resolve();
    });

    // A caller that goes away aborts the function's request too (its `req.signal` fires).
    res.on('close', () => {
      if (!res.writableFinished) {
        callerGone = true;
        upstream.destroy();
      }
      resolve();
    });

    req.pipe(upstream);
  });
}
