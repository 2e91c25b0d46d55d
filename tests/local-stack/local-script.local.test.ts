/**
 * `npm run local` as a developer runs it: a separate process that prints where it serves, answers
 * on every API, and on SIGTERM/SIGINT exits cleanly leaving no Deno process behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const node = `${root}node_modules/.bin/node`;
const fixtureFunctions = `${root}tests/local-stack/fixtures/functions`;
const anonKey =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';

interface Running {
  child: ChildProcess;
  output: string[];
  url: Promise<string>;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function startLocal(env: Record<string, string>): Running {
  const child = spawn(node, ['--import', 'tsx', 'scripts/local.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', PUBDEV_DATA_DIR: '', PUBDEV_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const output: string[] = [];
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /API URL: (\S+)/.exec(output.join(''));
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output.join('')}`)));
  });
  url.catch(() => {}); // awaited by the tests that expect a start; the others watch the exit

  return { child, output, url };
}

/** The Deno children of `pid` (tsx's esbuild service is a child too, and exits on its own schedule). */
function denoChildren(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid), '-f', 'deno'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run local (scripts/local.ts)', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'serves every API and on %s exits 0 with no Deno process left',
    async (signal) => {
      const local = startLocal({ PUBDEV_FUNCTIONS_DIR: fixtureFunctions });
      const url = await local.url;
      const banner = local.output.join('');
      for (const path of ['/realtime/v1', '/rest/v1', '/auth/v1', '/functions/v1']) expect(banner).toContain(path);
      expect(banner).toContain('owner@acme.test');

      const headers = { apikey: anonKey };
      expect((await fetch(`${url}/realtime/v1/api/ping`, { headers })).status).toBe(200);
      expect((await fetch(`${url}/rest/v1/publishers?select=id`, { headers })).status).toBe(200);
      expect((await fetch(`${url}/auth/v1/health`, { headers })).status).toBe(200);
      const fn = await fetch(`${url}/functions/v1/public-echo`, { method: 'POST', headers });
      expect(fn.status).toBe(201);

      const workers = denoChildren(local.child.pid!);
      expect(workers.length).toBeGreaterThan(0); // the Deno process serving public-echo
      local.child.kill(signal);
      const [code] = (await once(local.child, 'exit')) as [number | null];
      expect(code).toBe(0);
      expect(workers.filter(alive)).toEqual([]);
    },
  );

  it('refuses a bad environment variable with a message naming it, and exits 1', async () => {
    const local = startLocal({ PUBDEV_PORT: 'eighty' });
    const [code] = (await once(local.child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(local.output.join('')).toContain('Invalid environment: PUBDEV_PORT: PUBDEV_PORT must be a whole number');
  });
});
