/**
 * Child processes that each lead their own process group, so that stopping one stops
 * everything it started too (npm → sh → node, next → its workers, the stack → Deno).
 *
 * RATIONALE: a plain `child.kill()` signals only the direct child. `npm start` used to orphan the
 * stack and the agent that way (their port stayed bound after SIGTERM). `detached: true` makes
 * each child a group leader; `process.kill(-pid)` signals the whole group.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface GroupProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the leader has exited. */
  readonly exited: Promise<number | string>;
  /** Resolves with the first output line matching `pattern`; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the leader has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnGroupOptions extends Omit<SpawnOptions, 'detached' | 'stdio'> {
  /** Called for every line of output; default: print it prefixed with `[name]`. */
  readonly echo?: (line: string, stream: 'stdout' | 'stderr') => void;
}

// Long enough for the stack to close its database and Next to finish in-flight requests.
const DEFAULT_GRACE_MS = 5_000;

export function spawnGroup(
  name: string,
  command: string,
  args: readonly string[],
  options: SpawnGroupOptions = {},
): GroupProcess {
  const { echo = (line: string) => console.log(`[${name}] ${line}`), ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const listeners = new Set<(line: string) => void>();
  const emit = (line: string, stream: 'stdout' | 'stderr') => {
    echo(line, stream);
    for (const listener of listeners) listener(line);
  };
  for (const [stream, label] of [
    [child.stdout, 'stdout'],
    [child.stderr, 'stderr'],
  ] as const) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line) emit(line, label);
    });
    stream?.on('end', () => pending && emit(pending, label));
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (error) => {
      emit(`could not start ${command}: ${error.message}`, 'stderr');
      resolve('error');
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  let stopping: Promise<void> | null = null;
  return {
    name,
    child,
    exited,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        let done = false;
        const finish = (error: Error | null, match?: RegExpExecArray) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          listeners.delete(onLine);
          if (error || !match) reject(error ?? new Error('no match'));
          else resolve(match);
        };
        const onLine = (line: string) => {
          const match = pattern.exec(line);
          if (match) finish(null, match);
        };
        const timer = setTimeout(
          () => finish(new Error(`${name}: no line matching ${String(pattern)} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        listeners.add(onLine);
        void exited.then((code) => finish(new Error(`${name} exited (${code}) before printing ${String(pattern)}`)));
      });
    },
    stop(graceMs = DEFAULT_GRACE_MS) {
      stopping ??= (async () => {
        signalGroup('SIGTERM');
        const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
        // Stragglers of the group (workers the leader did not wait for) get the same end.
        signalGroup('SIGKILL');
      })();
      return stopping;
    },
  };
}
