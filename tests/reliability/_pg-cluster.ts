/**
 * A PostgreSQL 15 cluster of the test's own (initdb in a temporary directory, a free port), so a
 * test can stop, crash and restart the server under a running stack without touching the
 * machine's shared clusters. As root (CI) the server runs as the `postgres` OS user, as PostgreSQL
 * requires; as anyone else it runs as that user.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { giveServerSupabaseRoles } from '../../local-stack/db/platform-roles.ts';
import { freePort } from '../integration/_stack-process.ts';

const run = promisify(execFile);
const PG_BIN = process.env.PUBDEV_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Why a dedicated cluster cannot be made here, or undefined when it can. CI must never get a reason. */
export function clusterUnavailable(): string | undefined {
  if (!existsSync(join(PG_BIN, 'initdb'))) return `no PostgreSQL server binaries in ${PG_BIN} (set PUBDEV_PG_BIN)`;
  return undefined;
}

export type ShutdownMode = 'fast' | 'immediate';

export interface PgCluster {
  /** postgresql://postgres@127.0.0.1:<port>/postgres (trust authentication, loopback only). */
  readonly url: string;
  readonly port: number;
  stop(mode: ShutdownMode): Promise<void>;
  start(): Promise<void>;
  /** `pg_ctl restart -m <mode>`: down and up again in one command, as an operator restarts it. */
  restart(mode: ShutdownMode): Promise<void>;
  /** Stops the server (immediately) and deletes its directory. */
  destroy(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary as the server's user. */
async function pgCommand(binary: string, args: string[]): Promise<string> {
  const command = asRoot ? 'runuser' : join(PG_BIN, binary);
  const argv = asRoot ? ['-u', 'postgres', '--', join(PG_BIN, binary), ...args] : args;
  const { stdout } = await run(command, argv, { timeout: 120_000 });
  return stdout;
}

export async function createPgCluster(): Promise<PgCluster> {
  const root = mkdtempSync(join(tmpdir(), 'pubdev-pg-'));
  const data = join(root, 'data');
  const log = join(root, 'server.log');
  if (asRoot) chownSync(root, idOf('-u', 'postgres'), idOf('-g', 'postgres'));
  const port = await freePort();
  await pgCommand('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  // fsync off: the test crashes the server, never the machine, so the OS cache survives; commits
  // still reach the WAL (synchronous_commit stays on), which is what crash recovery replays.
  const options = [
    `-p ${port}`,
    `-k ${root}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c max_connections=200',
    '-c shared_buffers=32MB',
  ].join(' ');
  const ctl = (...args: string[]) => pgCommand('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', ...args]);
  await ctl('-o', options, 'start');
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  // The stack refuses a server whose postgres is a superuser (Supabase's is not).
  await giveServerSupabaseRoles(url);
  return {
    url,
    port,
    async stop(mode) {
      await ctl('-m', mode, 'stop');
    },
    async start() {
      await ctl('-o', options, 'start');
    },
    async restart(mode) {
      await ctl('-m', mode, '-o', options, 'restart');
    },
    async destroy() {
      await ctl('-m', 'immediate', 'stop').catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The numeric id of an OS user or its group (`id` asks NSS, as the server's own tools do). */
function idOf(flag: '-u' | '-g', user: string): number {
  return Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
}
