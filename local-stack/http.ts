import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage } from './errors.ts';

/** Thrown by {@link readBody} when a body is larger than allowed; answered with 413. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body exceeds ${limit} bytes`);
  }
}

/**
 * Closes the connection after a response that went out before the request's body was read to its
 * end (a 413 for a body over the limit). Otherwise the socket would stay open with the rest of the
 * body unread, and a client still uploading it waits until the 60 s keep-alive ends.
 */
export function closeIfBodyUnread(res: ServerResponse): void {
  if (!res.req.complete) res.setHeader('connection', 'close');
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  closeIfBodyUnread(res);
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  closeIfBodyUnread(res);
  res.writeHead(status, headers);
  res.end();
}

/** Reads a request body up to `limit` bytes; a larger body is refused without buffering it all. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Thrown by {@link parseJsonText} for a body that is not UTF-8 JSON within the nesting limit; answered with 400. */
export class InvalidJsonError extends Error {}

/**
 * Deepest JSON nesting a request body may have. The stack re-serialises bodies with JSON.stringify,
 * which is recursive and overflows V8's stack a few thousand levels down (a 500 for what is bad
 * input); no document this project stores comes near 512 levels.
 */
export const MAX_JSON_DEPTH = 512;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a request body as JSON the way PostgREST's and Realtime's parsers do: invalid UTF-8 is
 * refused rather than silently replaced by U+FFFD, and so is nesting deeper than `maxDepth`
 * (checked on the text, without recursion, before anything is built).
 */
function parseJsonText(raw: Buffer, maxDepth: number = MAX_JSON_DEPTH): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(raw);
  } catch {
    throw new InvalidJsonError('Request body is not valid UTF-8');
  }
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) throw new InvalidJsonError(`JSON nesting exceeds ${maxDepth} levels`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidJsonError(errorMessage(error));
  }
}

export interface ReadJsonOptions {
  /** Largest body accepted, in bytes; over it {@link BodyTooLargeError} is thrown before all of it is buffered. */
  limit: number;
  /** What an empty (or whitespace-only) body stands for; without it an empty body is invalid JSON. */
  emptyAs?: unknown;
}

/**
 * The one way every service reads a JSON body: bounded in size, then {@link parseJsonText}'s
 * strict UTF-8 and nesting limits. Throws {@link BodyTooLargeError} or {@link InvalidJsonError};
 * each service answers them in its own shape.
 */
export async function readJsonBody(req: IncomingMessage, options: ReadJsonOptions): Promise<unknown> {
  return parseJsonBody(await readBody(req, options.limit), options.emptyAs);
}

/** {@link readJsonBody} for a body already read (a service that also takes non-JSON bodies). */
export function parseJsonBody(raw: Buffer, emptyAs?: unknown): unknown {
  if (emptyAs !== undefined && raw.toString('utf8').trim() === '') return emptyAs;
  return parseJsonText(raw);
}

/** The bearer token of `Authorization: Bearer …`, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim();
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
