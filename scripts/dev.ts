/**
 * `npm start`: the main job — the local stack on 127.0.0.1:54321 plus the demo agent reporting
 * progress through supabase-py. Ctrl-C stops both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const python = `${root}.venv/bin/python`;
const children: ChildProcess[] = [];

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line) console.log(`[${name}] ${line}`);
    });
  }
  children.push(child);
  return child;
}

function stopAll(code: number): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 200).unref();
}

const stack = start('stack', process.execPath, ['--import', 'tsx', 'scripts/local.ts']);
stack.on('exit', (code) => {
  console.log(`[stack] exited with ${code}`);
  stopAll(code ?? 1);
});
stack.stdout?.on('data', function onData(chunk: string) {
  const match = /API URL: (\S+)/.exec(chunk);
  if (!match) return;
  stack.stdout?.off('data', onData);
  if (!existsSync(python)) {
    console.log('[dev] no .venv: run `bash .ci/run` or create it (see README) to start the demo agent');
    return;
  }
  start('agent', python, ['-m', 'pubdev_agents.demo'], { SUPABASE_URL: match[1], PYTHONPATH: `${root}agents` });
});
process.once('SIGINT', () => stopAll(0));
process.once('SIGTERM', () => stopAll(0));
