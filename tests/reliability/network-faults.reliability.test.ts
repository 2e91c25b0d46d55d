/**
 * The product's client (realtime core over supabase-js) behind a TCP proxy that fails the way
 * networks fail, while an agent account and the service role keep writing straight to the stack.
 * A dead socket — black-holed, or half-open after the stack's side went away — must be noticed
 * within two heartbeat intervals (counted in heartbeats, not seconds), then the client reconnects,
 * backfills and shows exactly the tables; a slow link must not be mistaken for a dead one; a cut
 * link is noticed at once. Nothing reaches a client twice over the live path.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local-stack/index.ts';
import { ACME_WRITES, connected, expectNothingLostOrDuplicated, writerClients } from './_harness.ts';
import { startFaultProxy, type FaultProxy } from './_fault-proxy.ts';
import { observedClient, type ObservedClient } from './_observed-client.ts';
import { startWriter, type Writer, type WriterClients } from './_writer.ts';

/** Short, so that "within two intervals" is a short wait; long enough for a loaded machine to answer in time. */
const HEARTBEAT_MS = 500;

describe('network faults between the client and the stack', () => {
  let stack: LocalStack;
  let proxy: FaultProxy;
  let clients: ObservedClient[];
  let writing: WriterClients;
  let writer: Writer | undefined;

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      realtime: { joinErrorDelayMs: 0, connectErrorDelayMs: 0, maxEventsPerSecond: 100_000 },
    });
    proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(stack.url).port) });
    const options = {
      heartbeatIntervalMs: HEARTBEAT_MS,
      reconnectAfterMs: 200,
      truthUrl: stack.url,
      requestTimeoutMs: 5000,
    };
    clients = [
      await observedClient(proxy.url, 'acmeOwner', options),
      await observedClient(proxy.url, 'acmeWest', options),
    ];
    for (const client of clients) await connected(client);
    writing = await writerClients(stack.url);
  });

  afterEach(async () => {
    await writer?.stop();
    writer = undefined;
    proxy.heal();
  });

  afterAll(async () => {
    for (const client of clients ?? []) await client.stop();
    await proxy?.close();
    await stack?.stop();
  });

  /** Writes go on (straight to the stack) from before the fault until after the recovery. */
  async function startWriting(): Promise<Writer> {
    writer = startWriter(writing, { ...ACME_WRITES, pauseMs: 100 });
    await writer.rounds(2);
    return writer;
  }

  /**
   * Heartbeats each client reports from now on, once every client's socket is open: a fault must
   * strike a live socket. (Seen under a load average of 25: a client whose socket had closed before
   * the fault and did not reopen; this makes that show as what it is.)
   */
  const markHeartbeats = async () => {
    for (const client of clients)
      await expect
        .poll(() => client.supabase.realtime.connectionState(), {
          timeout: 60_000,
          message: `${client.user}: the socket is not open before the fault`,
        })
        .toBe('open');
    return clients.map((client) => client.heartbeats.length);
  };
  const since = (client: ObservedClient, mark: number) => client.heartbeats.slice(mark);

  /**
   * The dead socket is declared dead by a heartbeat timeout, with at most one heartbeat sent after
   * the fault: the fault can strike just after a heartbeat was answered, the next one goes
   * unanswered, and the one after that is the timeout — two intervals at most.
   */
  async function expectDetectedWithinTwoHeartbeats(marks: number[]): Promise<void> {
    for (const [index, client] of clients.entries()) {
      await expect
        .poll(() => since(client, marks[index]!).includes('timeout'), {
          timeout: 20_000,
          message: `${client.user}: no heartbeat timeout; heartbeats since the fault: ${since(client, marks[index]!).join(',')}; socket ${client.supabase.realtime.connectionState()}`,
        })
        .toBe(true);
      const after = since(client, marks[index]!);
      const sentBeforeTimeout = after.slice(0, after.indexOf('timeout')).filter((s) => s === 'sent').length;
      expect(
        sentBeforeTimeout,
        `${client.user}: heartbeats sent before the timeout (${after.join(',')})`,
      ).toBeLessThanOrEqual(1);
    }
  }

  async function expectRecovered(live: Writer): Promise<void> {
    for (const client of clients) await connected(client);
    await live.rounds(2);
    await live.stop();
    writer = undefined;
    await expectNothingLostOrDuplicated(clients);
  }

  it('notices a black-holed socket within two heartbeats, reconnects, backfills, loses and duplicates nothing', async () => {
    const live = await startWriting();
    const marks = await markHeartbeats();
    // The flows die (a NAT or a load balancer forgot them); a new connection gets through.
    proxy.blackhole();
    await expectDetectedWithinTwoHeartbeats(marks);
    await expectRecovered(live);
  });

  it('notices a half-open socket (the stack side gone, the client side silent) within two heartbeats', async () => {
    const live = await startWriting();
    const marks = await markHeartbeats();
    proxy.halfOpen();
    await expectDetectedWithinTwoHeartbeats(marks);
    await expectRecovered(live);
  });

  it('does not mistake a slow link for a dead one: 150 ms each way, no timeout over five heartbeats', async () => {
    const live = await startWriting();
    const marks = await markHeartbeats();
    proxy.delay(150);
    for (const [index, client] of clients.entries())
      await expect
        .poll(() => since(client, marks[index]!).filter((s) => s === 'ok').length, { timeout: 30_000 })
        .toBeGreaterThanOrEqual(5);
    for (const [index, client] of clients.entries()) expect(since(client, marks[index]!)).not.toContain('timeout');
    proxy.delay(0);
    await expectRecovered(live);
  });

  it('notices a cut link at once (no heartbeat needed), reconnects and backfills', async () => {
    const live = await startWriting();
    const accepted = proxy.accepted;
    proxy.cut();
    await expect.poll(() => proxy.accepted, { timeout: 20_000 }).toBeGreaterThan(accepted);
    await expectRecovered(live);
  });
});
