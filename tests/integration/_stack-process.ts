/**
 * The local stack as a child process (`scripts/local.ts`), as a developer runs it: for suites that
 * kill and restart it (the outage suite) and for jsdom suites, whose URL class cannot load the
 * stack in-process. Only imports what a browser test may import (no local-stack).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';

// Not `new URL(…, import.meta.url)`: jsdom's URL class makes fileURLToPath refuse it.
const root = resolve(import.meta.dirname, '../..');
const node = resolve(root, 'node_modules/.bin/node');

const FIXTURE_PASSWORD = 'pubdev-local-password';
export const EMAILS = {
  acmeOwner: 'owner@acme.test',
  acmeWest: 'west@acme.test',
  acmeAgent: 'agent@acme.test',
} as const;
export const ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';
export const SERVICE_ROLE_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU';

export interface StackProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: string[];
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
}

/** Starts `scripts/local.ts`; resolves once it prints its URL. `PUBDEV_PORT` 0 unless given. */
export function startStackProcess(env: Record<string, string> = {}): Promise<StackProcess> {
  const child = spawn(node, ['--import', 'tsx', 'scripts/local.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: '',
      PUBDEV_DATA_DIR: '',
      PUBDEV_PORT: '0',
      PUBDEV_REALTIME_JOIN_ERROR_DELAY_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<StackProcess>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /API URL: (\S+)/.exec(output.join(''));
      if (match) resolve({ url: match[1]!, child, output, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`local stack exited with ${code}:\n${output.join('')}`)));
  });
}

/** Stops the process (SIGKILL when `hard`), and waits for it to be gone. */
export async function stopStackProcess(stack: StackProcess, hard = false): Promise<void> {
  if (stack.child.exitCode === null && stack.child.signalCode === null) stack.child.kill(hard ? 'SIGKILL' : 'SIGTERM');
  await stack.exited;
}

/** A supabase-js client signed in with the fixture password; sessions in memory, refreshed only by the realtime core. */
let clients = 0;

export async function signedInClient(url: string, user: keyof typeof EMAILS): Promise<SupabaseClient> {
  const client = createClient(url, ANON_KEY, {
    // A storage key per client: several signed-in clients in one test are several browsers.
    auth: {
      persistSession: false,
      autoRefreshToken: false,
      detectSessionInUrl: false,
      storageKey: `sb-test-${user}-${++clients}`,
    },
    // Under jsdom, Node's built-in WebSocket dispatches jsdom's Event class and throws; `ws` does not.
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
  });
  const { error } = await client.auth.signInWithPassword({ email: EMAILS[user], password: FIXTURE_PASSWORD });
  if (error) throw error;
  return client;
}

export function serviceClient(url: string): SupabaseClient {
  return createClient(url, SERVICE_ROLE_KEY, { auth: { persistSession: false, autoRefreshToken: false } });
}

/** A port that was free a moment ago, for a stack that must come back on the same port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
