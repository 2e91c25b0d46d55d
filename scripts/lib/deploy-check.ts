/**
 * What `supabase functions deploy <name> --use-api` sends, checked without a Supabase account:
 * the real CLI (the `supabase` devDependency) deploys to a local stand-in of the Management API;
 * Deno's own module graph says which files the function needs; and `deno check` runs on exactly
 * the uploaded files, laid out as the platform receives them, with the function's deno.json and
 * no package.json, as the platform bundles it.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startManagementApiStandIn, type UploadedFunction } from './management-api-stand-in.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = `${ROOT}node_modules/.bin`;
/** Any 20 lowercase letters pass the CLI's project-ref check; the stand-in answers for this one. */
export const STAND_IN_PROJECT_REF = 'pubdevdeploycheckref';
/** The CLI checks the token's shape (sbp_ and 40 hex digits) before sending it. */
const STAND_IN_ACCESS_TOKEN = `sbp_${'0123456789abcdef'.repeat(3).slice(0, 40)}`;
/** Deploying, bundling nothing locally, takes seconds; a minute only guards against a hang. */
const TIMEOUT_MS = 60_000;

export interface DeployCheck {
  upload: UploadedFunction;
  /** The CLI's output (it names every uploaded asset). */
  output: string;
  /** Requests the stand-in received, `METHOD path`. */
  requests: string[];
  authorizations: string[];
}

export async function deployThroughStandIn(functionName: string): Promise<DeployCheck> {
  const standIn = await startManagementApiStandIn(STAND_IN_PROJECT_REF);
  const home = await mkdtemp(join(tmpdir(), 'pubdev-deploy-home-'));
  try {
    const profile = join(home, 'profile.yaml');
    await writeFile(profile, standIn.profile());
    const { stdout, stderr } = await run(
      `${BIN}/supabase`,
      ['functions', 'deploy', functionName, '--use-api', '--project-ref', STAND_IN_PROJECT_REF, '--profile', profile],
      {
        cwd: ROOT,
        timeout: TIMEOUT_MS,
        // A throwaway HOME: the CLI reads and writes ~/.supabase, which must not be the developer's.
        env: {
          ...process.env,
          HOME: home,
          SUPABASE_ACCESS_TOKEN: STAND_IN_ACCESS_TOKEN,
          SUPABASE_TELEMETRY_DISABLED: '1',
          DO_NOT_TRACK: '1',
        },
      },
    );
    const upload = standIn.deployments.find((d) => d.slug === functionName);
    if (!upload) throw new Error(`the CLI uploaded no ${functionName}:\n${stdout}${stderr}`);
    return {
      upload,
      output: `${stdout}${stderr}`,
      requests: standIn.requests,
      authorizations: standIn.authorizations,
    };
  } finally {
    await standIn.close();
    await rm(home, { recursive: true, force: true });
  }
}

function denoEnv(): NodeJS.ProcessEnv {
  return { ...process.env, DENO_NO_PACKAGE_JSON: '1', NO_COLOR: '1' };
}

/** The project files a function's module graph reaches (Deno's resolution), relative to the root, sorted. */
export async function functionSourceFiles(functionName: string): Promise<string[]> {
  const dir = `${ROOT}supabase/functions/${functionName}`;
  const { stdout } = await run(
    `${BIN}/deno`,
    ['info', '--json', '--no-lock', '--config', `${dir}/deno.json`, `${dir}/index.ts`],
    { cwd: ROOT, timeout: TIMEOUT_MS, env: denoEnv(), maxBuffer: 64 * 1024 * 1024 },
  );
  const graph = JSON.parse(stdout) as { modules: Array<{ specifier: string }> };
  return graph.modules
    .map((m) => m.specifier)
    .filter((s) => s.startsWith('file://'))
    .map((s) => relative(ROOT, fileURLToPath(s)))
    .sort();
}

/** `deno check` of the uploaded files alone, in a fresh directory: what the platform bundles. */
export async function denoCheckUpload(upload: UploadedFunction, functionName: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pubdev-deploy-upload-'));
  try {
    for (const [path, content] of upload.files) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    const fn = join(dir, 'supabase', 'functions', functionName);
    const { stdout, stderr } = await run(
      `${BIN}/deno`,
      ['check', '--no-lock', '--config', join(fn, 'deno.json'), join(fn, 'index.ts')],
      { cwd: dir, timeout: 2 * TIMEOUT_MS, env: denoEnv() },
    );
    return `${stdout}${stderr}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
