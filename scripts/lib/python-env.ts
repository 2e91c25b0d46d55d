/**
 * The Python virtualenv with the agents package (`.venv`), made on first use by `npm start`,
 * `npm run test:py` and the e2e tier, and reused while `agents/requirements.txt` and
 * `agents/pyproject.toml` are unchanged (a hash of both is stamped into the venv).
 *
 * Env: `PUBDEV_VENV` (default `<root>/.venv`), `PUBDEV_PYTHON` (default `python3` on PATH). pip
 * reads its own settings from the environment as usual (`PIP_FIND_LINKS`, `PIP_INDEX_URL`, …);
 * `PIP_RETRIES` defaults to 0 here, so an unreachable index fails in seconds, not minutes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What the venv is made from: a change to either file makes it stale. */
const REQUIREMENT_FILES = ['agents/requirements.txt', 'agents/pyproject.toml'] as const;
const STAMP = 'pubdev-requirements.sha256';
/** The oldest Python the agents package supports (`requires-python` in agents/pyproject.toml). */
const MIN_PYTHON: readonly [number, number] = [3, 10];

/** Python (or its venv module) is missing: the caller prints the message and exits with `exitCode`. */
export class PythonMissingError extends Error {
  override readonly name = 'PythonMissingError';
  /** The exit code `npm start` and `npm run test:py` end with (distinct from a test failure's 1). */
  readonly exitCode = 3;
}

export function venvDirOf(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.PUBDEV_VENV ? path.resolve(root, env.PUBDEV_VENV) : path.join(root, '.venv');
}

/** The venv's interpreter (it exists once `ensurePythonVenv` resolved). */
export function venvPython(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(venvDirOf(root, env), 'bin', 'python');
}

function requirementsHash(root: string): string {
  const hash = createHash('sha256');
  for (const file of REQUIREMENT_FILES)
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(path.join(root, file)));
  return hash.digest('hex');
}

/** True when the venv exists and was made from the current requirement files. */
export function venvIsCurrent(root: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const dir = venvDirOf(root, env);
  const stamp = path.join(dir, STAMP);
  if (!existsSync(path.join(dir, 'bin', 'python')) || !existsSync(stamp)) return false;
  return readFileSync(stamp, 'utf8').trim() === requirementsHash(root);
}

/**
 * The interpreter the venv is made with, checked now (so `npm start` can stop before starting
 * anything): `PUBDEV_PYTHON` or `python3`, at least 3.10, with its `venv` module.
 */
export function findPython(env: NodeJS.ProcessEnv = process.env): string {
  const python = env.PUBDEV_PYTHON || 'python3';
  const probe = spawnSync(python, ['-c', 'import sys, venv, ensurepip; print("%d.%d" % sys.version_info[:2])'], {
    env,
    encoding: 'utf8',
  });
  const install =
    'Install Python 3.10 or newer with its venv module (Debian/Ubuntu: apt-get install python3 python3-venv; ' +
    'macOS: brew install python), or set PUBDEV_PYTHON to its path.';
  if (probe.error || probe.status === null)
    throw new PythonMissingError(
      `Python 3 was not found ("${python}"): the demo agent and the agents' tests need it. ${install}`,
    );
  if (probe.status !== 0)
    throw new PythonMissingError(
      `"${python}" cannot create a virtualenv (${probe.stderr.trim().split('\n').at(-1) ?? 'no venv module'}). ${install}`,
    );
  const [major = 0, minor = 0] = probe.stdout.trim().split('.').map(Number);
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1]))
    throw new PythonMissingError(
      `"${python}" is Python ${major}.${minor}; the agents package needs 3.10 or newer. ${install}`,
    );
  return python;
}

/** Runs a setup step; its output is shown only when it fails. The step dies with this process (Ctrl-C). */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const kill = () => child.kill('SIGTERM');
    process.once('exit', kill);
    const output: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      process.off('exit', kill);
      if (code === 0) resolve();
      else reject(new Error(`${[command, ...args].join(' ')} failed (${code}):\n${output.join('').trim()}`));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One setup at a time per venv (the e2e tier and `npm test` steps may ask together). The lock is a
 * directory naming its owner's pid: a lock whose owner is gone (killed mid-install) is taken over.
 */
async function withLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const lock = `${dir}.setup-lock`;
  const owner = path.join(lock, 'pid');
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      break;
    } catch {
      const pid = Number(existsSync(owner) ? readFileSync(owner, 'utf8') : Number.NaN);
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      // No pid yet is a lock being taken this instant; one that stays empty for a minute is a leftover.
      if ((Number.isInteger(pid) && !alive(pid)) || (!Number.isInteger(pid) && age > 60_000))
        rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  const release = () => rmSync(lock, { recursive: true, force: true });
  process.once('exit', release);
  try {
    return await work();
  } finally {
    process.off('exit', release);
    release();
  }
}

/**
 * Makes the venv current: creates it if missing, installs the pinned requirements and the agents
 * package (editable, so edits to agents/ need no reinstall), and stamps it. Returns its
 * interpreter. Throws PythonMissingError when Python cannot make one, Error when pip fails.
 */
export async function ensurePythonVenv(
  root: string,
  options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(`[python] ${line}`));
  const dir = venvDirOf(root, env);
  const python = venvPython(root, env);
  if (venvIsCurrent(root, env)) return python;
  const interpreter = findPython(env);
  return withLock(dir, async () => {
    if (venvIsCurrent(root, env)) return python; // another process made it while we waited
    const started = Date.now();
    const fresh = !existsSync(python);
    const shown = path.relative(root, dir).startsWith('..') ? dir : path.relative(root, dir);
    log(
      fresh
        ? `creating ${shown} with the agents package (first use; about a minute)…`
        : `agents/requirements.txt or agents/pyproject.toml changed: updating ${shown}…`,
    );
    if (fresh) await run(interpreter, ['-m', 'venv', dir], env, root);
    const pipEnv = { ...env, PIP_RETRIES: env.PIP_RETRIES ?? '0', PIP_DISABLE_PIP_VERSION_CHECK: '1' };
    const pip = (...args: string[]) => run(python, ['-m', 'pip', 'install', '--quiet', ...args], pipEnv, root);
    await pip('-r', 'agents/requirements.txt');
    await pip('--no-deps', '--editable', 'agents');
    writeFileSync(path.join(dir, STAMP), `${requirementsHash(root)}\n`);
    log(`${shown} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return python;
  });
}
