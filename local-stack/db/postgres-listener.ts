import pg from 'pg';

/**
 * Waits between reconnection attempts of a lost LISTEN connection: the first soon (a fast restart
 * of PostgreSQL is back within a second or two), then at most every 2 s, so a long outage costs
 * one connection attempt per 2 s and a restored server is noticed within 2 s.
 */
const RETRY_DELAYS_MS = [100, 250, 500, 1000, 2000] as const;
/** A server that accepts TCP but never answers must not hold an attempt forever. */
const CONNECT_TIMEOUT_MS = 5000;

export interface SupervisedListen {
  /** Ends the connection for good; no reconnection after this. */
  stop(): Promise<void>;
}

export interface SupervisedListenOptions {
  connectionString: string;
  channel: string;
  onNotify: (payload: string) => void;
  /** `false` when the connection drops, `true` once a new one listens again. */
  onConnectedChange: (connected: boolean) => void;
}

/**
 * A dedicated LISTEN connection that comes back by itself. node-postgres never reconnects a
 * `Client`: after a server restart the old one stays ended and every NOTIFY is lost until the
 * process restarts. This one opens a new client and LISTENs again, with the backoff above, for as
 * long as it is not stopped. The first connection must succeed (a wrong URL fails the start).
 */
export async function superviseListen(options: SupervisedListenOptions): Promise<SupervisedListen> {
  const { connectionString, channel, onNotify, onConnectedChange } = options;
  const listenSql = `listen "${channel.replaceAll('"', '""')}"`;
  let client: pg.Client | undefined;
  let stopped = false;
  let attempt = 0;
  let retry: NodeJS.Timeout | undefined;

  const open = async (): Promise<void> => {
    const candidate = new pg.Client({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // A dropped connection emits `error` then `end`; `end` is where it is handled.
    candidate.on('error', () => undefined);
    candidate.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload ?? '');
    });
    try {
      await candidate.connect();
      await candidate.query(listenSql);
    } catch (error) {
      await candidate.end().catch(() => undefined);
      throw error;
    }
    if (stopped) {
      await candidate.end().catch(() => undefined);
      return;
    }
    client = candidate;
    attempt = 0;
    candidate.once('end', () => {
      if (client !== candidate) return;
      client = undefined;
      onConnectedChange(false);
      schedule();
    });
  };

  const schedule = (): void => {
    if (stopped) return;
    const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!;
    attempt += 1;
    retry = setTimeout(() => {
      open().then(
        () => {
          if (client) onConnectedChange(true);
        },
        () => schedule(),
      );
    }, delay);
  };

  await open();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
