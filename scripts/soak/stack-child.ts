/**
 * The soak's local stack, alone in its process so that its memory is measured without the
 * clients': started with raised limits, it loads the soak's organisations when asked, then
 * reports RSS, the heap left after a full garbage collection, open sockets and joined channels
 * every `sampleMs`. Talks to the soak over the IPC channel of `child_process.fork`.
 */
import { appendFileSync } from 'node:fs';
import { openDatabase, prepareDatabase } from '../../local-stack/db/index.ts';
import { configFromEnv, startLocalStack, type LocalStack } from '../../local-stack/index.ts';
import { realtimeUsage } from '../../local-stack/realtime/index.ts';
import { SqlTimer } from './sql-timer.ts';

export type ToStack = { kind: 'setup'; sql: string } | { kind: 'stop' };
export type FromStack =
  | { kind: 'ready'; url: string }
  | { kind: 'setup-done' }
  | { kind: 'sample'; at: number; rss: number; heapUsed: number; sockets: number; channels: number }
  | { kind: 'error'; message: string };

const send = (message: FromStack) => process.send?.(message);
const sampleMs = Number(process.env.SOAK_SAMPLE_MS ?? '10000');
const collect = (globalThis as { gc?: () => void }).gc;
/** `--sql-profile <file>`: each minute's top statements by database time, one JSON line per minute. */
const sqlProfile = process.env.SOAK_SQL_PROFILE || undefined;
const SQL_PROFILE_MS = 60_000;

/** The stack; with a SQL profile, on a database whose statements are timed. */
async function start(): Promise<{ stack: LocalStack; stopProfile: () => Promise<void> }> {
  const config = configFromEnv();
  if (!sqlProfile)
    return { stack: await startLocalStack(config, { log: () => undefined }), stopProfile: async () => {} };
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  await prepareDatabase(db);
  const timer = new SqlTimer();
  const stack = await startLocalStack(config, { log: () => undefined, db: timer.wrap(db) });
  const startedAt = Date.now();
  const write = () =>
    appendFileSync(
      sqlProfile,
      `${JSON.stringify({ minute: Math.round((Date.now() - startedAt) / 60_000), top: timer.take(10) })}\n`,
    );
  const every = setInterval(write, SQL_PROFILE_MS);
  return {
    stack,
    stopProfile: async () => {
      clearInterval(every);
      write();
      await db.close();
    },
  };
}

async function main(): Promise<void> {
  const { stack, stopProfile } = await start();
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
      void stack
        .stop()
        .then(stopProfile)
        .then(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
}

main().catch((error: unknown) => {
  send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
