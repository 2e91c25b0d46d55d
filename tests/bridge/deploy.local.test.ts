/**
 * `supabase functions deploy realtime-bridge --use-api` uploads everything the function needs, the
 * src/contract files it imports through relative paths included: the real CLI (the `supabase`
 * devDependency) deploys to a local stand-in of the Management API, the uploaded form is compared
 * with Deno's module graph of the function, and the uploaded files alone type-check with Deno as
 * the platform bundles them (its deno.json, no package.json). Prints the uploaded file list.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  denoCheckUpload,
  deployThroughStandIn,
  functionSourceFiles,
  STAND_IN_PROJECT_REF,
  type DeployCheck,
} from '../../scripts/lib/deploy-check.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FUNCTION = 'realtime-bridge';
/** The CLI starts, reads config.toml and uploads in seconds; Deno type-checks in well under a minute. */
const DEPLOY_TIMEOUT_MS = 120_000;

describe(`supabase functions deploy ${FUNCTION} --use-api (real CLI, stand-in Management API)`, () => {
  let check: DeployCheck;
  beforeAll(async () => {
    check = await deployThroughStandIn(FUNCTION);
    console.log(
      `uploaded by supabase functions deploy ${FUNCTION} --use-api:\n  ${[...check.upload.files.keys()].sort().join('\n  ')}`,
    );
  }, DEPLOY_TIMEOUT_MS);

  it('makes one deploy call, with the access token and the function’s settings from config.toml', () => {
    const posts = check.requests.filter((r) => r.startsWith('POST '));
    expect(posts).toEqual([`POST /v1/projects/${STAND_IN_PROJECT_REF}/functions/deploy`]);
    expect(new Set(check.authorizations)).toEqual(new Set([expect.stringMatching(/^Bearer sbp_[0-9a-f]{40}$/)]));
    expect(check.upload.metadata).toEqual({
      name: FUNCTION,
      entrypoint_path: `supabase/functions/${FUNCTION}/index.ts`,
      import_map_path: `supabase/functions/${FUNCTION}/deno.json`,
      static_patterns: [],
      verify_jwt: false,
    });
    expect(check.output).toContain(`Deployed Functions on project ${STAND_IN_PROJECT_REF}: ${FUNCTION}`);
  });

  it('uploads every file the function imports, src/contract included, byte for byte', async () => {
    const imported = await functionSourceFiles(FUNCTION);
    expect(imported.filter((path) => path.startsWith('src/contract/')).length).toBeGreaterThan(0);
    const uploaded = [...check.upload.files.keys()].sort();
    expect(uploaded).toEqual([...imported, `supabase/functions/${FUNCTION}/deno.json`].sort());
    for (const [path, content] of check.upload.files) {
      expect(content, path).toBe(await readFile(`${ROOT}${path}`, 'utf8'));
    }
  });

  it(
    'type-checks from the uploaded files alone, as the platform bundles them',
    async () => {
      await expect(denoCheckUpload(check.upload, FUNCTION)).resolves.toBeTypeOf('string');
    },
    DEPLOY_TIMEOUT_MS,
  );

  it(
    'would not type-check without one of the src/contract files (the control)',
    async () => {
      const files = new Map(check.upload.files);
      files.delete('src/contract/topics.ts');
      await expect(denoCheckUpload({ ...check.upload, files }, FUNCTION)).rejects.toThrow(/src\/contract\/topics\.ts/);
    },
    DEPLOY_TIMEOUT_MS,
  );
});
