/**
 * The capacity bench's handle on its stack child (scripts/bench/_capacity-stack.ts): started with a
 * plan's quotas in its environment, it runs SQL and reports what Realtime counted. Also the trigger
 * function the "before" rows re-install. A helper, not a table.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Plan } from './_capacity-model.ts';
import type { CapacityUsage, FromCapacityStack, ToCapacityStack } from './_capacity-stack.ts';

/** The agent_status trigger function as migration 20261211000200 defined it, before the pacing superseded it. */
export async function previousAgentBroadcast(): Promise<string> {
  const file = new URL('../../supabase/migrations/20261211000200_agent_run_lifecycle.sql', import.meta.url);
  const sql = await readFile(file, 'utf8');
  const match = /create or replace function private\.agent_runs_broadcast\(\)[\s\S]*?\n\$\$;/.exec(sql);
  if (!match) throw new Error('capacity: the previous private.agent_runs_broadcast was not found');
  return match[0];
}

export class CapacityStack {
  private constructor(
    private readonly child: ChildProcess,
    readonly ready: Extract<FromCapacityStack, { kind: 'ready' }>,
  ) {}

  static start(plan: Plan): Promise<CapacityStack> {
    const child = fork(fileURLToPath(new URL('./_capacity-stack.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        PUBDEV_PORT: '0',
        PUBDEV_DATA_DIR: '',
        DATABASE_URL: '',
        PUBDEV_REALTIME_MAX_CONCURRENT_USERS: String(plan.connections),
        PUBDEV_REALTIME_MAX_EVENTS_PER_SECOND: String(plan.messagesPerSecond),
        // Measured, not enforced (see the header).
        PUBDEV_REALTIME_MAX_JOINS_PER_SECOND: '1000000',
        PUBDEV_REALTIME_MAX_PRESENCE_EVENTS_PER_SECOND: '1000000',
        PUBDEV_REALTIME_JOIN_ERROR_DELAY_MS: '0',
        PUBDEV_AUTH_RATE_LIMIT_TOKEN: '1000000',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromCapacityStack) => {
        if (message.kind === 'ready') {
          child.off('message', onMessage);
          resolve(new CapacityStack(child, message));
        } else if (message.kind === 'error') reject(new Error(`capacity stack: ${message.message}`));
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`capacity stack exited with ${String(code)}`)));
    });
  }

  private ask<K extends FromCapacityStack['kind']>(
    message: ToCapacityStack,
    kind: K,
  ): Promise<Extract<FromCapacityStack, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: FromCapacityStack) => {
        if (reply.kind === kind) {
          this.child.off('message', onMessage);
          resolve(reply as Extract<FromCapacityStack, { kind: K }>);
        } else if (reply.kind === 'error') reject(new Error(`capacity stack: ${reply.message}`));
      };
      this.child.on('message', onMessage);
      this.child.send(message);
    });
  }

  sql(sql: string): Promise<unknown> {
    return this.ask({ kind: 'sql', sql }, 'sql-done');
  }

  async usage(): Promise<CapacityUsage> {
    return (await this.ask({ kind: 'usage' }, 'usage')).usage;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send({ kind: 'stop' } satisfies ToCapacityStack);
    });
  }
}
