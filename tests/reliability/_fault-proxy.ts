/**
 * A TCP proxy between clients and the local stack that misbehaves on command, the way networks
 * do: it can black-hole connections (nothing forwarded either way, nothing closed), leave them
 * half-open (the stack's side closed, the client's side silently kept), delay every chunk, or cut
 * them (reset both sides). It forwards bytes, so every protocol on top (HTTP, WebSocket) sees a
 * real network fault, not a simulated one.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Dead pairs drop whatever arrives and never forward again (a black hole stays a black hole). */
  dead: boolean;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: use as SUPABASE_URL. */
  readonly url: string;
  /** Connections currently open through the proxy (both sides alive or held). */
  readonly connections: number;
  /** How many connections the proxy has accepted so far (a reconnect adds one). */
  readonly accepted: number;
  /** Every open connection stops forwarding both ways and is kept open; with `newToo`, new ones are swallowed too. */
  blackhole(options?: { newToo?: boolean }): void;
  /** The stack's side of every open connection is closed; the client's side is kept open and silent. */
  halfOpen(): void;
  /** Every chunk, both ways, is forwarded `ms` later (order kept); 0 ends the delay. */
  delay(ms: number): void;
  /** Resets every open connection on both sides. */
  cut(): void;
  /** New connections pass again (connections already dead stay dead, as a dropped flow does). */
  heal(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const pairs = new Set<Pair>();
  let swallowNew = false;
  let delayMs = 0;
  let accepted = 0;

  const forward = (pair: Pair, from: Socket, to: Socket) => {
    // Under a delay each chunk leaves `delayMs` after it arrived, in arrival order: a latency, not
    // a bandwidth limit. Chunks still queued when the delay ends go first.
    const queue: { due: number; chunk: Buffer }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      while (queue.length > 0 && queue[0]!.due <= Date.now()) {
        const { chunk } = queue.shift()!;
        if (!pair.dead && !to.destroyed) to.write(chunk);
      }
      schedule();
    };
    const schedule = () => {
      if (timer === undefined && queue.length > 0) timer = setTimeout(flush, Math.max(0, queue[0]!.due - Date.now()));
    };
    from.on('data', (chunk: Buffer) => {
      if (pair.dead) return;
      if (delayMs === 0 && queue.length === 0) {
        to.write(chunk);
        return;
      }
      queue.push({ due: Date.now() + delayMs, chunk });
      schedule();
    });
  };

  const server: Server = createServer((client) => {
    accepted += 1;
    client.setNoDelay(true);
    const upstream = connect(target.port, target.host);
    upstream.setNoDelay(true);
    const pair: Pair = { client, upstream, dead: swallowNew };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', () => {
      // A half-open pair keeps its client side open after the stack's side is gone.
      if (!pair.dead) end();
    });
    client.on('close', end);
    upstream.on('close', () => {
      if (!pair.dead) end();
    });
    forward(pair, client, upstream);
    forward(pair, upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return pairs.size;
    },
    get accepted() {
      return accepted;
    },
    blackhole(options = {}) {
      for (const pair of pairs) pair.dead = true;
      swallowNew = options.newToo ?? false;
    },
    halfOpen() {
      for (const pair of pairs) {
        pair.dead = true;
        pair.upstream.destroy();
      }
    },
    delay(ms) {
      delayMs = ms;
    },
    cut() {
      for (const pair of [...pairs]) {
        pairs.delete(pair);
        pair.client.resetAndDestroy();
        pair.upstream.resetAndDestroy();
      }
    },
    heal() {
      swallowNew = false;
      delayMs = 0;
    },
    async close() {
      for (const pair of [...pairs]) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
