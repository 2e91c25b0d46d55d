import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent } from 'node:http';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const LISTENING_MARKER = '__PUBDEV_FUNCTION_LISTENING__';

/**
 * Boot covers compiling the function and, with a cold DENO_DIR, downloading its npm packages;
 * 30 s is ample for that on a busy two-core machine, yet ends a worker that never serves.
 */
const BOOT_TIMEOUT_MS = 30_000;

/** After SIGTERM a worker has this long to exit before SIGKILL; Deno exits in milliseconds. */
const STOP_GRACE_MS = 2_000;

/** The worker could not start (syntax error, throwing module, no Deno.serve, boot timeout). */
export class BootError extends Error {
  override name = 'BootError';
}

export interface FunctionWorkerOptions {
  name: string;
  denoPath: string;
  bootstrapPath: string;
  entryPath: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: (message: string) => void;
}

export interface RunningWorker {
  port: number;
  pid: number;
  /** Connections to this worker only, dropped when it exits. */
  agent: Agent;
}

interface WorkerProcess {
  child: ChildProcess;
  agent: Agent;
  /** Resolves once Node has seen the process exit. */
  exited: Promise<void>;
}

/**
 * One long-lived Deno process serving one function, started on demand and started again on the
 * next request after it exits. Each process leads its own process group, so that stopping it
 * also stops anything it spawned.
 */
export class FunctionWorker {
  private running: Promise<RunningWorker> | undefined;
  private current: WorkerProcess | undefined;
  /** Every process not yet seen to exit, including discarded ones, so stop() leaves no orphan. */
  private readonly live = new Set<WorkerProcess>();
  private stopping = false;

  constructor(private readonly options: FunctionWorkerOptions) {}

  /** The running worker, booting it first if needed (concurrent callers share one boot). */
  start(): Promise<RunningWorker> {
    this.running ??= this.boot();
    return this.running;
  }

  /**
   * A request lost its connection to this worker: the process is dying (its exit may be reported
   * only after the caller's next request arrives), so stop routing to it right away.
   */
  discard(worker: RunningWorker): void {
    const current = this.current;
    if (!current || current.child.pid !== worker.pid) return;
    this.current = undefined;
    this.running = undefined;
    killGroup(current.child, 'SIGKILL');
  }

  private boot(): Promise<RunningWorker> {
    const { name, denoPath, bootstrapPath, entryPath, cwd, env, log } = this.options;
    const args = [
      'run',
      '--allow-net',
      '--allow-env',
      '--allow-read',
      '--allow-sys',
      '--no-prompt',
      // Never write a deno.lock into the project.
      '--no-lock',
      ...functionConfigArgs(entryPath),
      bootstrapPath,
      pathToFileURL(entryPath).href,
    ];
    const child = spawn(denoPath, args, { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let onExit!: () => void;
    // One loopback connection per request: a pooled socket that Deno closed while idle would look
    // like a crashed worker, and connecting over loopback costs next to nothing.
    const agent = new Agent({ keepAlive: false });
    const proc: WorkerProcess = { child, agent, exited: new Promise<void>((resolve) => (onExit = resolve)) };
    this.current = proc;
    this.live.add(proc);

    const forget = () => {
      proc.agent.destroy();
      this.live.delete(proc);
      if (this.current === proc) {
        this.current = undefined;
        this.running = undefined;
      }
      onExit();
    };

    return new Promise<RunningWorker>((resolve, reject) => {
      let booted = false;
      const timer = setTimeout(() => {
        reject(new BootError(`Function ${name} did not start listening within ${BOOT_TIMEOUT_MS} ms`));
        killGroup(child, 'SIGKILL');
      }, BOOT_TIMEOUT_MS);

      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!booted && line.startsWith(LISTENING_MARKER)) {
          const port = Number(line.slice(LISTENING_MARKER.length).trim());
          booted = true;
          clearTimeout(timer);
          log(`functions: ${name} listening on 127.0.0.1:${port} (pid ${child.pid})`);
          resolve({ port, pid: child.pid!, agent: proc.agent });
          return;
        }
        log(`[${name}] ${line}`);
      });
      // The function's own output (console.log, uncaught errors) goes to the stack's log.
      createInterface({ input: child.stderr! }).on('line', (line) => log(`[${name}] ${line}`));
      // EPIPE when the worker dies first; the exit handler below reports it.
      child.stdin!.on('error', () => {});

      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new BootError(`Could not start Deno for ${name}: ${error.message}`));
        forget();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const how = signal ? `signal ${signal}` : `code ${code}`;
        if (!booted) {
          reject(new BootError(`Function ${name} exited with ${how} before serving`));
        } else if (!this.stopping) {
          log(`functions: ${name} (pid ${child.pid}) exited with ${how}; it starts again on the next request`);
        }
        forget();
      });
    });
  }

  /** Stops every process of this worker and whatever they started; resolves once all have exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = undefined;
    this.current = undefined;
    await Promise.all([...this.live].map((proc) => stopProcess(proc)));
  }
}

/**
 * A function's own `deno.json`/`deno.jsonc` (its import map), as the Supabase CLI uses it. Deno
 * would look for one beside the main module only, and the main module here is the bootstrap.
 */
function functionConfigArgs(entryPath: string): string[] {
  for (const name of ['deno.json', 'deno.jsonc']) {
    const path = join(dirname(entryPath), name);
    if (existsSync(path)) return ['--config', path];
  }
  return [];
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Negative pid: the whole process group the detached worker leads.
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function stopProcess(proc: WorkerProcess): Promise<void> {
  proc.child.stdin?.end();
  killGroup(proc.child, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), STOP_GRACE_MS);
  });
  const forced = await Promise.race([proc.exited.then(() => false), timedOut]);
  clearTimeout(timer);
  if (forced) {
    killGroup(proc.child, 'SIGKILL');
    await proc.exited;
  }
}
