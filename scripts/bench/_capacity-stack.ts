/**
 * The capacity bench's local stack, alone in a child process (`child_process.fork`) so that the
 * simulated organisation's hundreds of sockets do not share its event loop: started with the limits
 * the parent puts in its environment (a plan's), it runs the SQL it is sent and reports what
 * Realtime counted (messages, presence events, dropped database broadcasts). A helper, not a table.
 */
import { configFromEnv, startLocalStack } from '../../local-stack/index.ts';
import { realtimeUsage } from '../../local-stack/realtime/index.ts';

export type ToCapacityStack = { kind: 'sql'; sql: string } | { kind: 'usage' } | { kind: 'stop' };

export interface CapacityUsage {
  readonly events: number;
  readonly presenceEvents: number;
  readonly droppedBroadcasts: number;
  readonly droppedDeliveries: number;
  readonly connections: number;
  readonly channels: number;
}

export type FromCapacityStack =
  | { kind: 'ready'; url: string; jwtSecret: string; anonKey: string; serviceRoleKey: string }
  | { kind: 'sql-done' }
  | { kind: 'usage'; usage: CapacityUsage }
  | { kind: 'error'; message: string };

const send = (message: FromCapacityStack) => process.send?.(message);

async function main(): Promise<void> {
  const stack = await startLocalStack(configFromEnv(), { log: () => undefined });
  const usage = realtimeUsage(stack);
  send({
    kind: 'ready',
    url: stack.url,
    jwtSecret: stack.config.jwtSecret,
    anonKey: stack.config.anonKey,
    serviceRoleKey: stack.config.serviceRoleKey,
  });
  process.on('message', (message: ToCapacityStack) => {
    if (message.kind === 'sql') {
      stack.db.exec(message.sql).then(
        () => send({ kind: 'sql-done' }),
        (error: unknown) => send({ kind: 'error', message: String(error) }),
      );
    } else if (message.kind === 'usage') {
      send({
        kind: 'usage',
        usage: {
          events: usage.eventsCounted,
          presenceEvents: usage.presenceEventsCounted,
          droppedBroadcasts: usage.droppedBroadcasts,
          droppedDeliveries: usage.droppedDeliveries,
          connections: usage.connections,
          channels: usage.totalChannels,
        },
      });
    } else {
      void stack.stop().then(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
}

main().catch((error: unknown) => {
  send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
