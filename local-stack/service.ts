import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock } from './clock.ts';
import type { StackConfig } from './config.ts';
import type { Database } from './db/index.ts';

/** What every part of the local stack gets: the database, the config and where the gateway listens. */
export interface ServiceContext {
  db: Database;
  config: StackConfig;
  /** `http://127.0.0.1:<port>`, the URL clients use as SUPABASE_URL. */
  publicUrl: string;
  log: (message: string) => void;
  /** The stack's clock (rate counters, token expiry, timers); tests pass one they advance. */
  clock: Clock;
}

/** One Supabase API mounted on the gateway under `prefix` (e.g. `/realtime/v1`). */
export interface LocalService {
  readonly prefix: string;
  /** The gateway refuses requests and upgrades without one of the project's API keys before this service sees them. */
  readonly requiresApiKey?: boolean;
  /**
   * Paths under the prefix that the key check leaves open (Supabase's gateway routes
   * `/auth/v1/verify` without key-auth: an emailed link is opened by a browser with no API key).
   */
  readonly openPaths?: readonly string[];
  /** One line for the startup banner. */
  readonly description: string;
  /** `url` is the full request URL; the service strips its own prefix. */
  handleRequest(req: IncomingMessage, res: ServerResponse, url: URL): void | Promise<void>;
  handleUpgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void;
  close(): Promise<void>;
}
