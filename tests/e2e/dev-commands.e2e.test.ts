/**
 * The seed's development commands: `npm run dev:ws` runs the real-time side alone (the local
 * stack), `npm run dev:next` the dashboard alone (`next dev`) against a stack that is already
 * running — and says how to start one when none answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, portIsOpen } from './_processes.ts';
import { freePort, ROOT } from './_servers.ts';

interface NpmRun {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

afterEach(async () => {
  // Each command leads its own process group (as a terminal's job does): stop the whole group.
  for (const child of started.splice(0)) {
    if (child.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  }
});

function npmRun(script: string, env: NodeJS.ProcessEnv): NpmRun {
  const child = spawn('npm', ['run', '-s', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output: () => chunks.join(''), exited };
}

describe('dev:ws and dev:next', () => {
  it('dev:next without a stack says how to start one and exits 1', async () => {
    const stackPort = await freePort();
    const run = npmRun('dev:next', { PORT: String(await freePort()), PUBDEV_PORT: String(stackPort) });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(
      `[pubdev] nothing answers at http://127.0.0.1:${stackPort}: start the stack first (npm run dev:ws, in another terminal)`,
    );
  });

  it('dev:ws runs the stack alone; dev:next serves the dashboard against it, with no stack and no agent of its own', async () => {
    const [stackPort, webPort] = [await freePort(), await freePort()];
    const ws = npmRun('dev:ws', { PUBDEV_PORT: String(stackPort) });
    expect(await eventually(() => ws.output().includes(`API URL: http://127.0.0.1:${stackPort}`), 120_000)).toBe(true);
    expect(await portIsOpen(webPort)).toBe(false);

    const next = npmRun('dev:next', { PORT: String(webPort), PUBDEV_PORT: String(stackPort) });
    expect(await eventually(() => next.output().includes(`Dashboard: http://127.0.0.1:${webPort}`), 120_000)).toBe(
      true,
    );
    expect(next.output()).toContain(`[pubdev] using the stack already running at http://127.0.0.1:${stackPort}`);
    expect(next.output()).not.toMatch(/\[stack\]|\[agent\]|\[python\]/);
    // next dev compiles the page on its first request.
    const login = await fetch(`http://127.0.0.1:${webPort}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('Sign in');
  }, 300_000);
});
