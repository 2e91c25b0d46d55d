/**
 * The migrations as Supabase itself applies them: `supabase migration up --db-url` (the CLI reads
 * supabase/config.toml first, so this also proves the config parses) against a database that has
 * only what every Supabase database already has (the shim). PostgreSQL only: the CLI needs a
 * real server. CI sets PUBDEV_TEST_POSTGRES_URL, so this always runs there (tests/_db.ts).
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../local-stack/db/index.ts';
import { ORGS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MIGRATIONS = `${ROOT}supabase/migrations`;
const run = promisify(execFile);
/** The CLI starts in well under a second; a minute only guards against a hang on a loaded CI machine. */
const CLI_TIMEOUT_MS = 60_000;

async function supabase(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(`${ROOT}node_modules/.bin/supabase`, args, {
    cwd: ROOT,
    timeout: CLI_TIMEOUT_MS,
    // The CLI would otherwise try to send usage telemetry, which has no network here.
    env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
  });
}

describe.runIf(BACKENDS.includes('postgres'))('supabase migration up (PostgreSQL)', () => {
  let t: TestDatabase;
  let dbUrl: string;
  let files: string[];
  beforeAll(async () => {
    t = await createTestDatabase('postgres', { shimOnly: true });
    const url = new URL(t.url!);
    // The CLI insists on TLS unless told otherwise; the local server has none.
    url.searchParams.set('sslmode', 'disable');
    dbUrl = url.toString();
    files = (await readdir(MIGRATIONS)).filter((f) => f.endsWith('.sql')).sort();
  });
  afterAll(() => t?.dispose());

  it('applies every migration and records each version', async () => {
    const { stderr } = await supabase('migration', 'up', '--db-url', dbUrl);
    for (const file of files) expect(stderr).toContain(`Applying migration ${file}`);
    const { rows } = await t.db.query<{ version: string; name: string }>(
      'select version, name from supabase_migrations.schema_migrations order by version',
    );
    expect(rows.map((r) => `${r.version}_${r.name}.sql`)).toEqual(files);
  });

  it('creates the tables with RLS enabled and the helpers in the private schema', async () => {
    const { rows } = await t.db.query<{ name: string; rls: boolean }>(
      `select c.relname as name, c.relrowsecurity as rls from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r' order by 1`,
    );
    expect(rows).toEqual(
      [
        'agent_run_attempts',
        'agent_runs',
        'campaign_metrics',
        'campaigns',
        'invitations',
        'notification_reads',
        'notifications',
        'organization_members',
        'organizations',
        'profiles',
        'publisher_changes',
        'publishers',
        'team_updates',
      ].map((name) => ({ name, rls: true })),
    );
    const { rows: helpers } = await t.db.query<{ ok: boolean }>(
      `select to_regprocedure('private.can_read_topic(text)') is not null and to_regprocedure('private.can_write_topic(text, text)') is not null as ok`,
    );
    expect(helpers).toEqual([{ ok: true }]);
  });

  it('is up to date on a second run, and the local runner agrees nothing is left to apply', async () => {
    const { stdout, stderr } = await supabase('migration', 'up', '--db-url', dbUrl);
    expect(`${stdout}${stderr}`).toContain('Local database is up to date.');
    expect(await applyMigrations(t.db, MIGRATIONS)).toEqual([]);
  });

  it('takes the seed afterwards, as `supabase db reset` would run it', async () => {
    await t.db.transaction(async (tx) => tx.exec(await readFile(`${ROOT}supabase/seed.sql`, 'utf8')));
    const { rows } = await t.db.query<{ email: string; organization: string; role: string }>(
      `select u.email, o.name as organization, m.role from public.organization_members m
         join auth.users u on u.id = m.user_id join public.organizations o on o.id = m.organization_id order by u.email`,
    );
    expect(rows).toEqual(
      Object.values(USERS)
        .map((u) => ({
          email: u.email,
          organization: u.orgId === ORGS.acme.id ? ORGS.acme.name : ORGS.globex.name,
          role: u.role,
        }))
        .sort((a, b) => a.email.localeCompare(b.email)),
    );
  });
});
