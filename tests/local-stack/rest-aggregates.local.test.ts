import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../_db.ts';
import { startRestStack, type RestStack } from '../_support/rest.ts';

/**
 * PostgREST's aggregate functions through postgrest-js: refused (PGRST123) as on a Supabase
 * project until the database enables them, then grouping by the other selected fields, at the top
 * and inside embeds. `relation(count)` counts rows either way (Postgres reads `t.count` as
 * `count(t)`). The schema is the test's own.
 */
const TEST_SCHEMA = `
create table public.ag_customers (id int primary key, name text not null);
create table public.ag_orders (
  id int primary key,
  customer_id int not null references public.ag_customers,
  status text not null,
  total int not null
);
insert into public.ag_customers values (1, 'ada'), (2, 'bob'), (3, 'cy');
insert into public.ag_orders values
  (1, 1, 'paid', 10), (2, 1, 'paid', 15), (3, 1, 'open', 5), (4, 2, 'open', 7);
`;

describe.each(BACKENDS)('/rest/v1 aggregate functions (%s)', (backend) => {
  let rest: RestStack;
  beforeAll(async () => {
    rest = await startRestStack(backend);
    await rest.database.db.exec(TEST_SCHEMA);
  });
  afterAll(async () => {
    await rest?.stop();
  });

  /** As Supabase documents it, scoped to this test's database (the PostgreSQL server is shared). */
  async function enableAggregates(): Promise<void> {
    const { rows } = await rest.database.db.query<{ name: string }>('select current_database() as name');
    await rest.database.db.exec(
      `alter role authenticator in database "${rows[0]!.name}" set pgrst.db_aggregates_enabled = 'true'`,
    );
  }

  it('refuses aggregate functions with 400 PGRST123 until the database enables them; relation(count) works', async () => {
    const anon = await rest.client('anon');
    const refused = await anon.from('ag_orders').select('status, total.sum()');
    expect(refused.status).toBe(400);
    expect(refused.error).toMatchObject({ code: 'PGRST123', message: 'Use of aggregate functions is not allowed' });

    const counted = await anon.from('ag_customers').select('name, ag_orders(count)').order('id');
    expect(counted.error).toBeNull();
    expect(counted.data).toEqual([
      { name: 'ada', ag_orders: [{ count: 3 }] },
      { name: 'bob', ag_orders: [{ count: 1 }] },
      { name: 'cy', ag_orders: [{ count: 0 }] },
    ]);
  });

  it('groups by the other selected fields, with aliases and casts of the result', async () => {
    await enableAggregates();
    const anon = await rest.client('anon');
    const { data, error } = await anon
      .from('ag_orders')
      .select('status, total.sum(), orders:count(), largest:total.max()::text')
      .order('status');
    expect(error).toBeNull();
    expect(data).toEqual([
      { status: 'open', sum: 12, orders: 2, largest: '7' },
      { status: 'paid', sum: 25, orders: 2, largest: '15' },
    ]);
    const all = await anon.from('ag_orders').select('total.avg()::int').single();
    expect(all.data).toEqual({ avg: 9 });
  });

  it('aggregates the embedded rows of each parent, and a to-one embed from each child', async () => {
    await enableAggregates();
    const anon = await rest.client('anon');
    const sums = await anon.from('ag_customers').select('name, ag_orders(spent:total.sum(), count())').order('id');
    expect(sums.error).toBeNull();
    expect(sums.data).toEqual([
      { name: 'ada', ag_orders: [{ spent: 30, count: 3 }] },
      { name: 'bob', ag_orders: [{ spent: 7, count: 1 }] },
      { name: 'cy', ag_orders: [{ spent: null, count: 0 }] },
    ]);
    const perStatus = await anon
      .from('ag_customers')
      .select('name, ag_orders(status, count())')
      .eq('id', 1)
      .order('status', { referencedTable: 'ag_orders' })
      .single();
    expect(perStatus.data).toEqual({
      name: 'ada',
      ag_orders: [
        { status: 'open', count: 1 },
        { status: 'paid', count: 2 },
      ],
    });
    const nested = await anon.from('ag_orders').select('id, ag_customers(count())').eq('id', 4).single();
    expect(nested.data).toEqual({ id: 4, ag_customers: { count: 1 } });
  });

  it("answers an aggregate over an unknown column with Postgres's 42703", async () => {
    await enableAggregates();
    const anon = await rest.client('anon');
    const { error, status } = await anon.from('ag_orders').select('alias:missing.count()');
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: '42703', message: 'column ag_orders.missing does not exist' });
  });
});
