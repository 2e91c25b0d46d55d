/**
 * `npm start` as a user runs it: the stack, the production dashboard and the demo agent come up,
 * the dashboard answers, and SIGTERM to the npm process (what a process manager sends) or Ctrl-C
 * (SIGINT to the terminal's process group) leaves no process behind and every port free. The
 * first test starts with no venv (a fresh PUBDEV_VENV path): `npm start` makes it and the agent
 * runs in it; without Python, `npm start` stops at once with one message and exit code 3.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { commandLine, descendants, eventually, portIsOpen, stillRunning } from './_processes.ts';
import { freePort, ROOT } from './_servers.ts';

interface Started {
  readonly npm: ChildProcess;
  readonly dashboardUrl: string;
  readonly ports: readonly number[];
  readonly output: string[];
}

let running: ChildProcess | null = null;

afterEach(() => {
  // Whatever a failed test left: the whole group, so no stray stack outlives the suite.
  if (running?.pid && running.exitCode === null) process.kill(-running.pid, 'SIGKILL');
  running = null;
});

async function npmStart(extraEnv: NodeJS.ProcessEnv = {}): Promise<Started> {
  const [webPort, stackPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(webPort),
    PUBDEV_PORT: String(stackPort),
    ...extraEnv,
  };
  delete env.SUPABASE_URL;
  // detached: npm leads its own group, like a shell's foreground job, so Ctrl-C can be simulated.
  const npm = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running = npm;
  const output: string[] = [];
  const dashboardUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start printed no dashboard URL in 150 s:\n${output.join('')}`)),
      150_000,
    );
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /Dashboard: (\S+)/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    npm.stdout?.on('data', onData);
    npm.stderr?.on('data', onData);
    npm.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output.join('')}`)));
  });
  return { npm, dashboardUrl, ports: [webPort, stackPort], output };
}

async function expectEverythingGone(
  npm: ChildProcess,
  tree: readonly number[],
  ports: readonly number[],
): Promise<void> {
  await new Promise((resolve) => (npm.exitCode !== null ? resolve(null) : npm.once('exit', resolve)));
  const gone = await eventually(() => stillRunning(tree).length === 0, 15_000);
  expect(
    gone,
    `left running: ${stillRunning(tree)
      .map((pid) => `${pid} ${commandLine(pid)}`)
      .join('; ')}`,
  ).toBe(true);
  for (const port of ports) {
    const free = await eventually(async () => !(await portIsOpen(port)), 5_000);
    expect(free, `port ${port} still bound`).toBe(true);
  }
}

describe('npm start', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'pubdev-npm-start-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('with no venv yet: makes it, serves the dashboard with the demo agent running, and SIGTERM to npm stops every process', async () => {
    const venv = path.join(scratch, 'venv');
    const { npm, dashboardUrl, ports, output } = await npmStart({ PUBDEV_VENV: venv });
    const login = await fetch(`${dashboardUrl}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('Sign in');
    // The venv is made on first use, beside the stack and the build (pip takes about a minute here).
    expect(await eventually(() => /\[python\] .*venv ready in/.test(output.join('')), 240_000)).toBe(true);
    expect(output.join('')).toMatch(/\[python\] creating .*venv with the agents package/);
    // Live data: the demo agent is writing its run (its progress lines come from real writes).
    expect(await eventually(() => /\[agent\] demo-agent run \w+ .* \d+(\.\d+)?% /.test(output.join('')), 30_000)).toBe(
      true,
    );

    const tree = descendants(npm.pid!);
    const names = tree.map(commandLine).join('\n');
    expect(names).toContain('scripts/local.ts');
    expect(names).toContain('next');
    process.kill(npm.pid!, 'SIGTERM');
    await expectEverythingGone(npm, [npm.pid!, ...tree], ports);
  }, 420_000);

  it('without Python: one message and exit code 3, before anything starts', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PUBDEV_VENV: path.join(scratch, 'never-made'),
      PUBDEV_PYTHON: path.join(scratch, 'no-such-python3'),
    };
    delete env.SUPABASE_URL;
    const npm = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running = npm;
    const output: string[] = [];
    npm.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    npm.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const code = await new Promise<number | null>((resolve) => npm.once('exit', resolve));
    expect(code).toBe(3);
    const text = output.join('');
    expect(text).toContain(`[pubdev] Python 3 was not found ("${env.PUBDEV_PYTHON}")`);
    expect(text).toContain('apt-get install python3 python3-venv');
    expect(text).not.toContain('[stack]');
  });

  it('stops every process on Ctrl-C (SIGINT to the foreground process group)', async () => {
    const { npm, ports } = await npmStart();
    const tree = descendants(npm.pid!);
    process.kill(-npm.pid!, 'SIGINT');
    await expectEverythingGone(npm, [npm.pid!, ...tree], ports);
  });
});
