import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORGS, PUBLISHERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { startRestStack, type RestStack } from '../_support/rest.ts';

/** Every payload carries this marker, so the SQL log can be searched for it. */
const MARK = 'pwn3d_marker';

describe.each(BACKENDS)('/rest/v1 refuses injection attempts before they reach SQL (%s)', (backend) => {
  let rest: RestStack;
  beforeAll(async () => {
    rest = await startRestStack(backend);
  });
  afterAll(async () => {
    await rest?.stop();
  });

  /** No SQL text the stack ran contains the marker (it may appear as a bound parameter value). */
  function expectNoMarkerInSql(): void {
    const leaked = rest.sqlLog.filter((r) => r.sql.includes(MARK));
    expect(leaked.map((r) => r.sql)).toEqual([]);
  }

  async function expectTablesIntact(): Promise<void> {
    const { rows } = await rest.database.db.query<{ n: number }>(
      'select count(*)::int as n from public.publishers where id = any($1)',
      [Object.values(PUBLISHERS).map((p) => p.id)],
    );
    expect(rows[0]?.n).toBe(5);
  }

  it.each([
    ['a filter column', (q: Q) => q.select('id').filter(`name;drop table public.publishers;--${MARK}`, 'eq', 'x')],
    ['a quoted filter column', (q: Q) => q.select('id').filter(`"name"" = '' or 1=1;--${MARK}"`, 'eq', 'x')],
    ['a filter operator', (q: Q) => q.select('id').filter('name', `eq;drop table public.publishers;--${MARK}`, 'x')],
    ['the select list', (q: Q) => q.select(`id,name;drop table public.publishers;--${MARK}`)],
    ['a select alias', (q: Q) => q.select(`"x"" from pg_roles;--${MARK}":name`)],
    ['a select cast', (q: Q) => q.select(`id::text);drop table public.publishers;--${MARK}`)],
    ['a JSON path', (q: Q) => q.select(`custom_fields->>'a');drop table public.publishers;--${MARK}`)],
    ['order', (q: Q) => q.select('id').order(`name;drop table public.publishers;--${MARK}`)],
    ['order direction', (q: Q) => q.select('id').order(`name.asc,(select ${MARK})`)],
    ['an or= tree', (q: Q) => q.select('id').or(`name.eq.x),id.eq.(select 1);--${MARK}`)],
    ['limit', (q: Q) => q.select('id').limit(`1;drop table public.publishers;--${MARK}` as unknown as number)],
  ])('refuses %s with 400 PGRST100', async (_label, build) => {
    const owner = await rest.client('acmeOwner');
    const { status, error, data } = await build(owner.from('publishers') as unknown as Q);
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: 'PGRST100' });
    expect(data).toBeNull();
    expectNoMarkerInSql();
    await expectTablesIntact();
  });

  it('refuses on_conflict and insert column names that are not plain column names', async () => {
    const owner = await rest.client('acmeAgent');
    const run = { organization_id: ORGS.acme.id, agent_id: 'injector', status: 'idle' };
    const conflict = await owner
      .from('agent_runs')
      .upsert(run, { onConflict: `id) do update set status = 'error'; drop table public.publishers; --${MARK}` });
    expect(conflict.status).toBe(400);
    expect(conflict.error).toMatchObject({
      code: 'PGRST100',
      message: expect.stringContaining('failed to parse on_conflict parameter'),
    });

    const columns = await owner
      .from('agent_runs')
      .insert([{ ...run, [`status"); drop table public.publishers; --${MARK}`]: 'x' }]);
    expect(columns.status).toBe(400);
    expect(columns.error).toMatchObject({
      code: 'PGRST100',
      message: expect.stringContaining('failed to parse columns parameter'),
    });

    const key = await owner.from('agent_runs').insert({ ...run, [`status = 'error'; --${MARK}`]: 'x' });
    expect(key.status).toBe(400);
    expect(key.error).toMatchObject({ code: 'PGRST204' });

    const unknownConflict = await owner.from('agent_runs').upsert(run, { onConflict: `${MARK}` });
    expect(unknownConflict.status).toBe(400);
    expect(unknownConflict.error).toMatchObject({ code: '42703' });
    expectNoMarkerInSql();
    await expectTablesIntact();
  });

  it('treats values as data: bound parameters, never SQL', async () => {
    const owner = await rest.client('acmeOwner');
    const asText = await owner
      .from('publishers')
      .select('id')
      .eq('name', `x' or '1'='1'; drop table public.publishers; --${MARK}`);
    expect(asText).toMatchObject({ status: 200, data: [], error: null });
    const asUuid = await owner
      .from('publishers')
      .select('id')
      .eq('id', `${PUBLISHERS.sunriseBooks.id}' or '1'='1 ${MARK}`);
    expect(asUuid.status).toBe(400);
    expect(asUuid.error).toMatchObject({ code: '22P02' });
    const inList = await owner
      .from('publishers')
      .select('id')
      .in('name', [`a') or true; --${MARK}`, 'Sunrise Books']);
    expect(inList.data).toEqual([{ id: PUBLISHERS.sunriseBooks.id }]);
    const patch = await owner
      .from('publishers')
      .update({ name: `Sunrise'; drop table public.publishers; --${MARK}` })
      .eq('id', PUBLISHERS.sunriseBooks.id)
      .select('name');
    expect(patch.data).toEqual([{ name: `Sunrise'; drop table public.publishers; --${MARK}` }]);

    // The payloads did reach the database — as parameter values only.
    expect(rest.sqlLog.some((r) => r.params.some((p) => typeof p === 'string' && p.includes(MARK)))).toBe(true);
    expectNoMarkerInSql();
    await expectTablesIntact();
  });

  it('answers a table name that is no table with 404, without building SQL from it', async () => {
    const owner = await rest.client('acmeOwner');
    const { status, error } = await owner.from(`publishers;drop table public.publishers;--${MARK}`).select();
    expect(status).toBe(404);
    expect(error).toMatchObject({ code: 'PGRST205' });
    const rpc = await owner.rpc(`publisher_count(null);drop table public.publishers;--${MARK}`);
    expect(rpc.status).toBe(404);
    expect(rpc.error).toMatchObject({ code: 'PGRST202' });
    expectNoMarkerInSql();
    await expectTablesIntact();
  });
});

/** The part of supabase-js's query builder these tests chain (kept loose: the payloads are not column names). */
interface Q {
  select(columns: string): Q;
  filter(column: string, operator: string, value: string): Q;
  order(column: string): Q;
  or(filters: string): Q;
  limit(count: number): Q;
  then: PromiseLike<{ status: number; error: unknown; data: unknown }>['then'];
}
