/**
 * The processes an e2e suite runs against: the local stack (scripts/local.ts) and the production
 * dashboard (`next start` on the shared build), each in its own process group on a free port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY } from '../../local-stack/index.ts';
import { spawnGroup, type GroupProcess } from '../../scripts/lib/process-group.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NODE = process.execPath;
// Output of the servers is kept quiet unless something goes wrong; set PUBDEV_E2E_VERBOSE=1 to see it.
const VERBOSE = process.env.PUBDEV_E2E_VERBOSE === '1';

/** A free TCP port on 127.0.0.1 (closed again before use; the race is acceptable on a test box). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function collector(name: string) {
  const lines: string[] = [];
  return {
    lines,
    echo: (line: string) => {
      lines.push(line);
      if (lines.length > 400) lines.shift();
      if (VERBOSE) console.log(`[${name}] ${line}`);
    },
  };
}

export interface StackProcess {
  readonly url: string;
  readonly port: number;
  readonly process: GroupProcess;
  /** Stops the stack and waits until its port is closed. */
  stop(): Promise<void>;
}

/**
 * Starts scripts/local.ts. With `dataDir`, PGlite keeps its data there, so a restart on the same
 * `port` comes back with everything written before (what the reconnect test needs).
 */
export async function startStack(options: { port?: number; dataDir?: string } = {}): Promise<StackProcess> {
  const port = options.port ?? (await freePort());
  const log = collector('stack');
  const child = spawnGroup('stack', NODE, ['--import', 'tsx', 'scripts/local.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PUBDEV_PORT: String(port),
      PUBDEV_HOST: '127.0.0.1',
      ...(options.dataDir ? { PUBDEV_DATA_DIR: options.dataDir } : {}),
    },
    echo: log.echo,
  });
  try {
    const match = await child.waitFor(/API URL: (\S+)/, 90_000);
    const url = match[1]!;
    return { url, port, process: child, stop: () => child.stop() };
  } catch (error) {
    await child.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${log.lines.join('\n')}`, {
      cause: error,
    });
  }
}

export interface DashboardProcess {
  readonly url: string;
  readonly process: GroupProcess;
  stop(): Promise<void>;
}

/** `next start` on the shared production build, pointed at `supabaseUrl` through env only. */
export async function startDashboard(supabaseUrl: string): Promise<DashboardProcess> {
  const port = await freePort();
  const log = collector('next');
  const child = spawnGroup(
    'next',
    NODE,
    [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        NEXT_PUBLIC_SUPABASE_URL: supabaseUrl,
        NEXT_PUBLIC_SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
        SUPABASE_SERVICE_ROLE_KEY: LOCAL_SERVICE_ROLE_KEY,
      },
      echo: log.echo,
    },
  );
  try {
    await child.waitFor(/Ready in|started server on/i, 60_000);
  } catch (error) {
    await child.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${log.lines.join('\n')}`, {
      cause: error,
    });
  }
  return { url: `http://127.0.0.1:${port}`, process: child, stop: () => child.stop() };
}

/** A scratch directory removed by the returned function. */
export function scratchDir(prefix: string): { path: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { path: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
