/** Process-tree and port checks for lifecycle tests (Linux /proc). */
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

interface ProcEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly state: string;
}

function readProcs(): ProcEntry[] {
  const entries: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may contain spaces and parentheses: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      entries.push({ pid: Number(name), state: fields[0]!, ppid: Number(fields[1]) });
    } catch {
      // The process ended while we were reading.
    }
  }
  return entries;
}

/** Every live descendant of `pid` (children, grandchildren, …). */
export function descendants(pid: number): number[] {
  const procs = readProcs();
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const proc of procs) {
      if (proc.ppid === parent && proc.state !== 'Z') {
        found.push(proc.pid);
        queue.push(proc.pid);
      }
    }
  }
  return found;
}

/** The pids of `pids` that still run (zombies count as gone: they hold no port and no CPU). */
export function stillRunning(pids: readonly number[]): number[] {
  const live = new Map(readProcs().map((p) => [p.pid, p.state]));
  return pids.filter((pid) => live.has(pid) && live.get(pid) !== 'Z');
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '(gone)';
  }
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `check` until it returns true or `timeoutMs` passes (for OS state that sends no event). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
