/**
 * docker-compose.yml, checked without a Docker engine: the services and ports it declares, and
 * what each container's environment resolves to for the three ways of running it (Supabase CLI
 * on the host, a hosted project, the local stack in a container) — including that every variable
 * the dashboard and the demo agent read is supplied.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY } from '../../local-stack/keys.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

const serviceSchema = z.object({
  image: z.string(),
  command: z.array(z.string()),
  environment: z.record(z.string(), z.string()).default({}),
  ports: z.array(z.string()).default([]),
  volumes: z.array(z.string()).default([]),
  extra_hosts: z.array(z.string()).default([]),
  profiles: z.array(z.string()).default([]),
});
const composeSchema = z.object({
  services: z.record(z.string(), serviceSchema),
  volumes: z.record(z.string(), z.null()).default({}),
});
const compose = composeSchema.parse(parse(read('docker-compose.yml')));
const service = (name: string) => {
  const found = compose.services[name];
  if (!found) throw new Error(`no service ${name}`);
  return found;
};

/** Compose's interpolation: `${VAR}`, `${VAR:-default}` (defaults may nest), `$$` for a dollar. */
function interpolate(value: string, env: Record<string, string>): string {
  let out = '';
  let i = 0;
  while (i < value.length) {
    if (value.startsWith('$$', i)) {
      out += '$';
      i += 2;
    } else if (value.startsWith('${', i)) {
      let depth = 0;
      let end = i;
      for (; end < value.length; end++) {
        if (value.startsWith('${', end)) depth++;
        else if (value[end] === '}' && --depth === 0) break;
      }
      const inner = value.slice(i + 2, end);
      const [name, fallback] = inner.includes(':-')
        ? [inner.slice(0, inner.indexOf(':-')), inner.slice(inner.indexOf(':-') + 2)]
        : [inner, ''];
      out += env[name] ? env[name] : interpolate(fallback, env);
      i = end + 1;
    } else {
      out += value[i++];
    }
  }
  return out;
}

const resolved = (name: string, env: Record<string, string>) =>
  Object.fromEntries(Object.entries(service(name).environment).map(([key, value]) => [key, interpolate(value, env)]));

describe('docker-compose.yml services and ports', () => {
  it('runs web and agents by default; the local stack and the development container only with their profiles', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['agents', 'dev', 'stack', 'web']);
    expect(service('web').profiles).toEqual([]);
    expect(service('agents').profiles).toEqual([]);
    expect(service('stack').profiles).toEqual(['local-stack']);
    expect(service('dev').profiles).toEqual(['dev']);
  });

  it('runs `npm run dev` in the development container, reachable from the host, leaving the demo agent to the agents service', () => {
    const scripts = z
      .object({ scripts: z.record(z.string(), z.string()) })
      .parse(JSON.parse(read('package.json'))).scripts;
    expect(service('dev').command.at(-1)).toBe('npm ci --no-audit --no-fund && exec npm run dev');
    expect(scripts.dev).toMatch(/scripts\/dev\.ts --dev$/);
    expect(service('dev').ports).toEqual(['3000:3000', '54321:54321']);
    // What scripts/dev.ts and the stack read: both listen on every interface; the agent is the agents service's.
    expect(service('dev').environment).toMatchObject({
      PUBDEV_HOST: '0.0.0.0',
      PUBDEV_WEB_HOST: '0.0.0.0',
      PUBDEV_DEMO_AGENT: 'off',
    });
    expect(read('scripts/lib/dev-env.ts')).toContain('PUBDEV_DEMO_AGENT');
    expect(read('scripts/lib/dev-env.ts')).toContain('PUBDEV_WEB_HOST');
  });

  it('publishes the dashboard on 3000 (next start on all interfaces), nothing for the agents, 54321 for the stack', () => {
    expect(service('web').ports).toEqual(['3000:3000']);
    expect(service('web').command.at(-1)).toMatch(
      /npm run build && exec node node_modules\/next\/dist\/bin\/next start -H 0\.0\.0\.0 -p 3000$/,
    );
    expect(service('agents').ports).toEqual([]);
    expect(service('stack').ports).toEqual(['54321:54321']);
    expect(service('stack').environment.PUBDEV_HOST).toBe('0.0.0.0');
  });

  it('runs a demo agent module that exists, and declares every named volume it mounts', () => {
    const module = /python -m (\S+)/.exec(service('agents').command.join(' '))?.[1];
    expect(module).toBe('pubdev_agents.demo');
    expect(existsSync(`${root}agents/${module!.replace('.', '/')}.py`)).toBe(true);
    for (const svc of Object.values(compose.services)) {
      for (const volume of svc.volumes) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.')) expect(Object.keys(compose.volumes)).toContain(source);
      }
    }
  });

  it('lets every container that may reach the host resolve host.docker.internal', () => {
    for (const name of ['web', 'agents'])
      expect(service(name).extra_hosts).toEqual(['host.docker.internal:host-gateway']);
  });
});

describe('docker-compose.yml environment wiring', () => {
  it('supplies every variable the dashboard reads, and every one the demo agent needs', () => {
    const dashboardVars = [...read('src/lib/supabase/public-config.ts').matchAll(/env\('([A-Z_]+)'/g)].map(
      (m) => m[1]!,
    );
    expect(dashboardVars).toEqual(
      expect.arrayContaining([
        'NEXT_PUBLIC_SUPABASE_URL',
        'NEXT_PUBLIC_SUPABASE_ANON_KEY',
        'SUPABASE_SERVICE_ROLE_KEY',
        'SUPABASE_SERVER_URL',
      ]),
    );
    for (const name of dashboardVars) expect(Object.keys(service('web').environment)).toContain(name);
    const agentVars = [...read('agents/pubdev_agents/demo.py').matchAll(/os\.environ\.get\("([A-Z_]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(agentVars).toEqual(expect.arrayContaining(['SUPABASE_URL', 'SUPABASE_ANON_KEY']));
    // No dead wiring: what the compose file sets for the agent, the agent reads.
    const agentEnv = Object.keys(service('agents').environment).filter((name) => name !== 'PYTHONUNBUFFERED');
    for (const name of agentEnv) expect(agentVars).toContain(name);
  });

  it('with no variables set, talks to `supabase start` on the host with the local-development keys', () => {
    const web = resolved('web', {});
    expect(web).toMatchObject({
      NEXT_PUBLIC_SUPABASE_URL: 'http://127.0.0.1:54321',
      SUPABASE_SERVER_URL: 'http://host.docker.internal:54321',
      NEXT_PUBLIC_SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
      SUPABASE_SERVICE_ROLE_KEY: LOCAL_SERVICE_ROLE_KEY,
      NEXT_TELEMETRY_DISABLED: '1',
    });
    expect(resolved('agents', {})).toMatchObject({
      SUPABASE_URL: 'http://host.docker.internal:54321',
      SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
      PUBDEV_AGENT_EMAIL: 'agent@acme.test',
    });
  });

  it('with a hosted project, sends browser, server and agent to that project with its keys', () => {
    const hosted = {
      SUPABASE_URL: 'https://abcd.supabase.co',
      SUPABASE_ANON_KEY: 'hosted-anon-key-0123456789',
      SUPABASE_SERVICE_ROLE_KEY: 'hosted-service-key-0123456789',
    };
    expect(resolved('web', hosted)).toMatchObject({
      NEXT_PUBLIC_SUPABASE_URL: hosted.SUPABASE_URL,
      SUPABASE_SERVER_URL: hosted.SUPABASE_URL,
      NEXT_PUBLIC_SUPABASE_ANON_KEY: hosted.SUPABASE_ANON_KEY,
      SUPABASE_SERVICE_ROLE_KEY: hosted.SUPABASE_SERVICE_ROLE_KEY,
    });
    expect(resolved('agents', hosted)).toMatchObject({
      SUPABASE_URL: hosted.SUPABASE_URL,
      SUPABASE_ANON_KEY: hosted.SUPABASE_ANON_KEY,
    });
  });

  it('with the local-stack profile, containers reach the stack by service name and the browser by the published port', () => {
    const env = { SUPABASE_SERVER_URL: 'http://stack:54321' };
    expect(resolved('web', env)).toMatchObject({
      NEXT_PUBLIC_SUPABASE_URL: 'http://127.0.0.1:54321',
      SUPABASE_SERVER_URL: 'http://stack:54321',
    });
    expect(resolved('agents', env).SUPABASE_URL).toBe('http://stack:54321');
  });
});
