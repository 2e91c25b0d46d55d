import { createAuthService } from './auth/index.ts';
import { systemClock, type Clock } from './clock.ts';
import { stackConfigSchema, type StackConfig, type StackConfigInput } from './config.ts';
import { openDatabase, prepareDatabase, type Database, type PrepareResult } from './db/index.ts';
import { createFunctionsService } from './functions/index.ts';
import { startAutovacuum } from './db/autovacuum.ts';
import { startPartitionMaintenance } from './db/partition-maintenance.ts';
import { startGateway, type GatewayHealth } from './gateway.ts';
import { createRealtimeService } from './realtime/index.ts';
import { createRestService } from './rest/index.ts';
import type { LocalService, ServiceContext } from './service.ts';

export interface LocalStack {
  /** SUPABASE_URL for clients, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  readonly config: StackConfig;
  readonly db: Database;
  readonly prepared: PrepareResult;
  readonly services: readonly LocalService[];
  stop(): Promise<void>;
}

export interface StartLocalStackOptions {
  /** An already-open, already-prepared database (tests share one per file); the stack won't close it. */
  db?: Database;
  log?: (message: string) => void;
  /**
   * The stack's clock (Realtime's rate counters §8.2, token expiry §6.4, timers, Auth's token rate
   * limit, which day partition maintenance sees); the system clock by default.
   */
  clock?: Clock;
  /** How often `realtime.messages` partitions are maintained (default hourly); tests shorten it. */
  partitionMaintenanceIntervalMs?: number;
}

/** A health probe that cannot hang a monitor: a database that does not answer within this is down. */
const HEALTH_TIMEOUT_MS = 2000;

/** `/health`: 200 while the database answers a round trip, 503 naming it while it does not. */
async function databaseHealth(db: Database): Promise<GatewayHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
  });
  try {
    await Promise.race([db.query('select 1'), timeout]);
    return { ok: true, message: 'ok' };
  } catch (error) {
    return { ok: false, message: `database unavailable: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the Docker-free Supabase stand-in: database (PGlite or PostgreSQL) with the shim,
 * migrations and seed, then Realtime, REST, Auth and Functions behind one gateway.
 */
export async function startLocalStack(
  input: StackConfigInput = {},
  options: StartLocalStackOptions = {},
): Promise<LocalStack> {
  const config = stackConfigSchema.parse(input);
  const log = options.log ?? (() => {});
  const ownsDb = !options.db;
  const db = options.db ?? (await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir }));
  try {
    const prepared = ownsDb ? await prepareDatabase(db) : { applied: [], seeded: false };
    const gateway = await startGateway({
      host: config.host,
      port: config.port,
      keys: config,
      health: () => databaseHealth(db),
    });
    const context: ServiceContext = {
      db,
      config: { ...config, port: gateway.port },
      publicUrl: gateway.url,
      log,
      clock: options.clock ?? systemClock,
    };
    const services: LocalService[] = [];
    try {
      for (const create of [createRealtimeService, createRestService, createAuthService, createFunctionsService]) {
        const service = await create(context);
        services.push(service);
        gateway.mount(service);
      }
    } catch (error) {
      await gateway.close();
      throw error;
    }
    const partitions = startPartitionMaintenance(db, {
      log,
      now: () => context.clock.now(),
      ...(options.partitionMaintenanceIntervalMs ? { intervalMs: options.partitionMaintenanceIntervalMs } : {}),
    });
    // PostgreSQL vacuums on its own; PGlite has no background workers to.
    const autovacuum = db.kind === 'pglite' ? startAutovacuum(db, { log }) : undefined;
    let stopping: Promise<void> | undefined;
    return {
      url: gateway.url,
      config: context.config,
      db,
      prepared,
      services,
      stop() {
        stopping ??= (async () => {
          await partitions.stop();
          await autovacuum?.stop();
          await gateway.close();
          if (ownsDb) await db.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (ownsDb) await db.close();
    throw error;
  }
}
