/**
 * `npm start`: the local stack, the dashboard (production build, `next start`) and the demo agent;
 * prints the URL and the fixture users. `npm run dev` (`--dev`) runs `next dev` instead.
 * `npm run dev:next` (`--dev --web-only`) runs only `next dev`, against a stack already running.
 * With SUPABASE_URL (+ SUPABASE_ANON_KEY) set, it uses that project and starts no local stack.
 * The demo agent's Python venv is made on first use (scripts/lib/python-env.ts); without Python
 * the script stops at once with one message and exit code 3 (`PUBDEV_DEMO_AGENT=off` skips the agent).
 *
 * Ctrl-C or SIGTERM stops everything: each child leads its own process group and is stopped as a
 * group (scripts/lib/process-group.ts), so nothing keeps a port bound afterwards.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE_PASSWORD, USERS } from '../supabase/fixture.ts';
import { devSettingsFromEnv } from './lib/dev-env.ts';
import { ensureNextBuild } from './lib/next-build.ts';
import { spawnGroup, type GroupProcess } from './lib/process-group.ts';
import { ensurePythonVenv, findPython, PythonMissingError, venvIsCurrent } from './lib/python-env.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const devMode = process.argv.includes('--dev');
const webOnly = process.argv.includes('--web-only');
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

/** Starts the demo agent once its venv is ready; a failed pip install leaves the dashboard running. */
async function startAgent(venv: Promise<string>, supabaseUrl: string, anonKey: string): Promise<void> {
  let python: string;
  try {
    python = await venv;
  } catch (error) {
    log(`the demo agent is not started: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  if (stopping) return;
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
          // A stack listening on every interface (in a container) is reached by the browser on localhost.
          NEXT_PUBLIC_SUPABASE_URL: supabaseUrl.replace('//0.0.0.0:', '//127.0.0.1:'),
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

/** `dev:next`: the dashboard alone needs a Supabase (the local stack or a project) that already answers. */
async function existingSupabase(settings: ReturnType<typeof devSettingsFromEnv>): Promise<string> {
  const url = settings.externalSupabaseUrl ?? `http://127.0.0.1:${settings.stackPort}`;
  const answered = await fetch(`${url}/realtime/v1/api/ping`, { headers: { apikey: settings.anonKey } }).then(
    (response) => response.status < 500,
    () => false,
  );
  if (!answered)
    throw new Error(
      `nothing answers at ${url}: start the stack first (npm run dev:ws, in another terminal) or set SUPABASE_URL and SUPABASE_ANON_KEY to a project`,
    );
  return url;
}

async function main(): Promise<void> {
  const settings = devSettingsFromEnv(process.env);
  const withAgent = settings.demoAgent && !webOnly;
  // Before anything starts: without Python the demo agent cannot run, and the user hears it now.
  if (withAgent && !venvIsCurrent(root)) findPython();
  const venv = withAgent ? ensurePythonVenv(root) : null;
  venv?.catch(() => undefined); // reported by startAgent
  const building = devMode ? Promise.resolve('dev' as const) : ensureNextBuild(root);
  const supabaseUrl = webOnly
    ? await existingSupabase(settings)
    : (settings.externalSupabaseUrl ?? (await startLocalStack(settings.stackPort)));
  if (settings.externalSupabaseUrl) log(`using the Supabase project at ${supabaseUrl} (no local stack)`);
  else if (webOnly) log(`using the stack already running at ${supabaseUrl}`);
  if (venv) void startAgent(venv, supabaseUrl, settings.anonKey);
  await building;
  if (stopping) return;
  const dashboardUrl = await startDashboard(settings, supabaseUrl);
  const users = settings.externalSupabaseUrl
    ? []
    : [
        ...(withAgent ? [] : ['The demo agent is not started (dev:next, or PUBDEV_DEMO_AGENT=off).']),
        `Sign in with a fixture user (password "${FIXTURE_PASSWORD}"):`,
        ...Object.values(USERS).map((u) => `    ${u.email.padEnd(20)} ${u.role}`),
      ];
  console.log(
    [
      '',
      `PubDev is running (${devMode ? 'next dev' : 'production build'}, ready in ${process.uptime().toFixed(1)} s)`,
      `  Dashboard: ${dashboardUrl}`,
      `  Supabase:  ${supabaseUrl}${settings.externalSupabaseUrl || webOnly ? '' : ' (local stack)'}`,
      ...users.map((line) => `  ${line}`),
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(`[pubdev] ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(error instanceof PythonMissingError ? error.exitCode : 1);
});
