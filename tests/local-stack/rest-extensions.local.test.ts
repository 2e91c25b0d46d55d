import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../_db.ts';
import { startRestStack, type RestStack } from '../_support/rest.ts';

/**
 * Supabase installs extensions in schema `extensions`; PostgREST exposes `public` only, so none of
 * pgcrypto's functions answers as /rest/v1/rpc, whatever the body, and none of them answers 500.
 */
describe.each(BACKENDS)('pgcrypto lives in schema extensions (%s)', (backend) => {
  let rest: RestStack;
  beforeAll(async () => {
    rest = await startRestStack(backend);
  });
  afterAll(async () => {
    await rest?.stop();
  });

  it('puts no function of any extension in public', async () => {
    const { rows } = await rest.database.db.query<{ ext: string; schema: string; n: number }>(
      `select e.extname as ext, n.nspname as schema,
              (select count(*)::int from pg_depend d join pg_proc p on p.oid = d.objid
                where d.refobjid = e.oid and d.deptype = 'e' and p.pronamespace = 'public'::regnamespace) as n
         from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pgcrypto'`,
    );
    expect(rows).toEqual([{ ext: 'pgcrypto', schema: 'extensions', n: 0 }]);
  });

  it.each(['gen_salt', 'gen_random_uuid', 'crypt', 'digest'])(
    'answers rpc/%s with 404 PGRST202 to anon',
    async (fn) => {
      const anon = await rest.client('anon');
      const { data, error, status } = await anon.rpc(fn, fn === 'gen_salt' ? { '': 'bf' } : {});
      expect(data).toBeNull();
      expect(status).toBe(404);
      expect(error?.code).toBe('PGRST202');
      expect(error?.message).toMatch(new RegExp(`^Could not find the function public\\.${fn}`));
    },
  );

  it.each([
    ['an empty key', '{"": "x"}'],
    ['positional keys', '{"1": "x", "2": "y"}'],
    ['an array', '["x", "y"]'],
    ['a string', '"x"'],
    ['nested objects', '{"password": {"a": [1, 2]}, "salt": null}'],
  ])('never answers 500 to rpc/crypt with %s', async (_label, body) => {
    const response = await rest.fetch('/rest/v1/rpc/crypt', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(((await response.json()) as { code: string }).code).toMatch(/^PGRST/);
  });

  it('still lets SQL call pgcrypto unqualified, as on Supabase (the seed hashes passwords with it)', async () => {
    const { rows } = await rest.database.db.query<{ ok: boolean }>(
      `select crypt('pw', gen_salt('bf', 4)) like '$2a$04$%' as ok`,
    );
    expect(rows).toEqual([{ ok: true }]);
  });
});
