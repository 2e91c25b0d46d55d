/**
 * The soak's local stack, alone in its process so that its memory is measured without the
 * clients': started with raised limits, it loads the soak's organisations when asked, then
 * reports RSS, the heap left after a full garbage collection, open sockets and joined channels
 * every `sampleMs`. Talks to the soak over the IPC channel of `child_process.fork`.
 */
import { configFromEnv, startLocalStack } from '../../local-stack/index.ts';
import { realtimeUsage } from '../../local-stack/realtime/index.ts';

export type ToStack = { kind: 'setup'; sql: string } | { kind: 'stop' };
export type FromStack =
  | { kind: 'ready'; url: string }
  | { kind: 'setup-done' }
  | { kind: 'sample'; at: number; rss: number; heapUsed: number; sockets: number; channels: number }
  | { kind: 'error'; message: string };

const send = (message: FromStack) => process.send?.(message);
const sampleMs = Number(process.env.SOAK_SAMPLE_MS ?? '10000');
const collect = (globalThis as { gc?: () => void }).gc;

async function main(): Promise<void> {
  const stack = await startLocalStack(configFromEnv(), { log: () => undefined });
  const usage = realtimeUsage(stack);
  send({ kind: 'ready', url: stack.url });
  const sample = () => {
    // After a full collection what is left is what the stack holds on to: the slope that matters.
    collect?.();
    const memory = process.memoryUsage();
    send({
      kind: 'sample',
      at: Date.now(),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      sockets: usage.sockets,
      channels: usage.totalChannels,
    });
  };
  const timer = setInterval(sample, sampleMs);
  process.on('message', (message: ToStack) => {
    if (message.kind === 'setup') {
      stack.db.exec(message.sql).then(
        () => send({ kind: 'setup-done' }),
        (error: unknown) => send({ kind: 'error', message: String(error) }),
      );
    } else {
      clearInterval(timer);
      sample();
      void stack.stop().then(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
}

main().catch((error: unknown) => {
  send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
