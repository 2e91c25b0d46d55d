/**
 * `npm run local`: the Docker-free Supabase stand-in on 127.0.0.1:54321 with migrations and seed.
 * Env: see README (PUBDEV_PORT, DATABASE_URL, PUBDEV_DATA_DIR, PUBDEV_JWT_SECRET, …).
 * Prints `API URL: <url>` once ready — the Python test fixture waits for that line.
 */
import { configFromEnv, fixture, startLocalStack } from '../local-stack/index.ts';

async function main(): Promise<void> {
  const config = configFromEnv();
  const stack = await startLocalStack(config, { log: (m) => console.log(m) });
  const db = config.databaseUrl
    ? `PostgreSQL ${new URL(config.databaseUrl).host}`
    : `PGlite ${config.dataDir ?? '(in memory)'}`;
  const lines = [
    `PubDev local stack ready in ${process.uptime().toFixed(1)} s`,
    `API URL: ${stack.url}`,
    `Database: ${db} — ${stack.prepared.applied.length} migration(s) applied${stack.prepared.seeded ? ', seed loaded' : ''}`,
    ...stack.services.map((s) => `  ${s.description}`),
    `anon key: ${stack.config.anonKey}`,
    `service_role key: ${stack.config.serviceRoleKey}`,
    `publishable key: ${stack.config.publishableKey}`,
    `secret key: ${stack.config.secretKey}`,
    `JWT secret: ${stack.config.jwtSecret}`,
    `Fixture users (password "${fixture.FIXTURE_PASSWORD}"):`,
    ...Object.values(fixture.USERS).map((u) => `  ${u.email.padEnd(20)} ${u.role.padEnd(7)} ${u.id}`),
  ];
  console.log(lines.join('\n'));

  const shutdown = (signal: string) => {
    console.log(`${signal}: stopping`);
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
