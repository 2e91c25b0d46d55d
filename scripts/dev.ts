/**
 * `npm start`: the local stack, the dashboard (production build, `next start`) and the demo agent;
 * prints the URL and the fixture users. `npm run dev` (`--dev`) runs `next dev` instead.
 * With SUPABASE_URL (+ SUPABASE_ANON_KEY) set, it uses that project and starts no local stack.
 *
 * Ctrl-C or SIGTERM stops everything: each child leads its own process group and is stopped as a
 * group (scripts/lib/process-group.ts), so nothing keeps a port bound afterwards.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE_PASSWORD, USERS } from '../supabase/fixture.ts';
import { devSettingsFromEnv } from './lib/dev-env.ts';
import { ensureNextBuild } from './lib/next-build.ts';
import { spawnGroup, type GroupProcess } from './lib/process-group.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const devMode = process.argv.includes('--dev');
const python = path.join(root, '.venv/bin/python');
const nextBin = path.join(root, 'node_modules/next/dist/bin/next');
const children: GroupProcess[] = [];
let stopping = false;

function log(line: string): void {
  console.log(`[pubdev] ${line}`);
}

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log('stopping…');
    await Promise.all(children.map((child) => child.stop()));
  }
  process.exit(code);
}

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) {
    // A second Ctrl-C: do not wait for graceful shutdown any more.
    for (const child of children) if (child.child.pid) process.kill(-child.child.pid, 'SIGKILL');
    process.exit(130);
  }
  log(`${signal}: stopping everything`);
  void stopAll(0);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);

// RATIONALE: `npm start` runs this script through `sh -c`; the package.json script says `exec`
// so that npm's forwarded SIGTERM reaches this process and not only the shell. Should the
// parent still die without a signal reaching us (SIGKILL, a shell that does not forward), we
// notice the re-parenting and stop the children rather than leave them holding their ports.
const parentAtStart = process.ppid;
// Twice a second: short enough that ports are free soon after the parent goes.
const PARENT_CHECK_MS = 500;
setInterval(() => {
  if (process.ppid !== parentAtStart && !stopping) {
    log('the parent process is gone: stopping everything');
    void stopAll(0);
  }
}, PARENT_CHECK_MS).unref();

/** A child whose unexpected exit takes everything down (the stack, the dashboard). */
function essential(child: GroupProcess): GroupProcess {
  children.push(child);
  void child.exited.then((code) => {
    if (stopping) return;
    log(`${child.name} exited (${code}); stopping the rest`);
    void stopAll(1);
  });
  return child;
}

async function startLocalStack(port: number): Promise<string> {
  const stack = essential(
    spawnGroup('stack', process.execPath, ['--import', 'tsx', 'scripts/local.ts'], {
      cwd: root,
      env: { ...process.env, PUBDEV_PORT: String(port) },
      // The stack prints its own keys and fixture users; only the lines that matter here are shown.
      echo: (line, stream) => {
        if (stream === 'stderr' || /ready|API URL|error|warn/i.test(line)) console.log(`[stack] ${line}`);
      },
    }),
  );
  const match = await stack.waitFor(/API URL: (\S+)/, 120_000);
  return match[1]!;
}

function startAgent(supabaseUrl: string, anonKey: string): void {
  if (!existsSync(python)) {
    log('no .venv: the demo agent is not started (create it: see README, "Setup")');
    return;
  }
  const agent = spawnGroup('agent', python, ['-m', 'pubdev_agents.demo'], {
    cwd: path.join(root, 'agents'),
    env: {
      ...process.env,
      SUPABASE_URL: supabaseUrl,
      SUPABASE_ANON_KEY: anonKey,
      PYTHONPATH: path.join(root, 'agents'),
      PYTHONUNBUFFERED: '1',
    },
  });
  children.push(agent);
  void agent.exited.then((code) => !stopping && log(`demo agent exited (${code}); the dashboard keeps running`));
}

async function startDashboard(settings: ReturnType<typeof devSettingsFromEnv>, supabaseUrl: string): Promise<string> {
  const web = essential(
    spawnGroup(
      'web',
      process.execPath,
      [
        nextBin,
        devMode ? 'dev' : 'start',
        ...(devMode ? ['--webpack'] : []),
        '-p',
        String(settings.webPort),
        '-H',
        settings.webHost,
      ],
      {
        cwd: root,
        env: {
          ...process.env,
          NEXT_TELEMETRY_DISABLED: '1',
          NODE_ENV: devMode ? 'development' : 'production',
          NEXT_PUBLIC_SUPABASE_URL: supabaseUrl,
          NEXT_PUBLIC_SUPABASE_ANON_KEY: settings.anonKey,
          ...(settings.serviceRoleKey ? { SUPABASE_SERVICE_ROLE_KEY: settings.serviceRoleKey } : {}),
        },
      },
    ),
  );
  await web.waitFor(/Ready in/i, 120_000);
  const host = settings.webHost === '0.0.0.0' ? '127.0.0.1' : settings.webHost;
  return `http://${host}:${settings.webPort}`;
}

async function main(): Promise<void> {
  const settings = devSettingsFromEnv(process.env);
  const building = devMode ? Promise.resolve('dev' as const) : ensureNextBuild(root);
  const supabaseUrl = settings.externalSupabaseUrl ?? (await startLocalStack(settings.stackPort));
  if (settings.externalSupabaseUrl) log(`using the Supabase project at ${supabaseUrl} (no local stack)`);
  startAgent(supabaseUrl, settings.anonKey);
  await building;
  if (stopping) return;
  const dashboardUrl = await startDashboard(settings, supabaseUrl);
  const users = settings.externalSupabaseUrl
    ? []
    : [
        `Sign in with a fixture user (password "${FIXTURE_PASSWORD}"):`,
        ...Object.values(USERS).map((u) => `    ${u.email.padEnd(20)} ${u.role}`),
      ];
  console.log(
    [
      '',
      `PubDev is running (${devMode ? 'next dev' : 'production build'}, ready in ${process.uptime().toFixed(1)} s)`,
      `  Dashboard: ${dashboardUrl}`,
      `  Supabase:  ${supabaseUrl}${settings.externalSupabaseUrl ? '' : ' (local stack)'}`,
      ...users.map((line) => `  ${line}`),
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(`[pubdev] ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
});
