import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../_db.ts';
import { startRestStack, type RestStack } from '../_support/rest.ts';

/**
 * `/rpc` overload resolution, counts and max-affected as PostgREST answers them, through
 * postgrest-js. A function whose single parameter is unnamed and of type json, jsonb, text, xml or
 * bytea receives the whole body; other unnamed parameters keep a function out of the schema cache.
 */
const TEST_SCHEMA = `
create function public.rx_pick() returns int language sql as 'select 0';
create function public.rx_pick(text) returns text language sql as $$ select 'text:' || $1 $$;
create function public.rx_pick(int) returns int language sql as 'select 2';
create function public.rx_unnamed_int(int) returns int language sql as 'select 1';
create function public.rx_defaulted() returns int language sql as 'select 1';
create function public.rx_defaulted(text default 'x') returns text language sql as $$ select $1 $$;
create function public.rx_defaulted(int default 1) returns int language sql as 'select 3';

create table public.rx_items (id int primary key, status text not null default 'open');
insert into public.rx_items (id) select generate_series(1, 4);
create function public.rx_total_items() returns int language sql stable as 'select count(*)::int from public.rx_items';
create function public.rx_items_from(min_id int) returns setof public.rx_items
language sql stable as $$ select * from public.rx_items where id >= min_id order by id $$;
create function public.rx_close_from(min_id int) returns setof public.rx_items
language sql volatile as $$ update public.rx_items set status = 'closed' where id >= min_id returning * $$;
`;

/** An untyped schema on PostgREST 13, the version whose types offer postgrest-js `.maxAffected()`. */
type Postgrest13 = {
  __InternalSupabase: { PostgrestVersion: '13' };
  public: {
    Tables: Record<never, never>;
    Views: Record<never, never>;
    Functions: Record<string, { Args: Record<string, unknown>; Returns: Record<string, unknown>[] }>;
  };
};

describe.each(BACKENDS)('/rest/v1/rpc resolves overloads and counts as PostgREST does (%s)', (backend) => {
  let rest: RestStack;
  beforeAll(async () => {
    rest = await startRestStack(backend);
    await rest.database.db.exec(TEST_SCHEMA);
  });
  afterAll(async () => {
    await rest?.stop();
  });

  const postgrest13 = () =>
    createClient<Postgrest13>(rest.stack.url, rest.stack.config.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
    });

  it('calls the overload without parameters for no keys, and the unnamed text one, with the whole body, for the key ""', async () => {
    const anon = await rest.client('anon');
    const none = await anon.rpc('rx_pick');
    expect(none).toMatchObject({ data: 0, error: null, status: 200 });
    const text = await anon.rpc('rx_pick', { '': 'a' });
    expect(text.error).toBeNull();
    expect(text.data).toBe('text:{"":"a"}');
  });

  it('keeps a function with an unnamed int parameter out of the schema cache: 404 PGRST202 with a hint', async () => {
    const anon = await rest.client('anon');
    const { error, status } = await anon.rpc('rx_unnamed_int', { '': 1 });
    expect(status).toBe(404);
    expect(error).toMatchObject({
      code: 'PGRST202',
      message: 'Could not find the function public.rx_unnamed_int() in the schema cache',
      details:
        'Searched for the function public.rx_unnamed_int with parameter  or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
    });
    const typo = await anon.rpc('rx_total_itemz');
    expect(typo.error?.hint).toBe('Perhaps you meant to call the function public.rx_total_items');
  });

  it('answers 300 PGRST203 when defaulted overloads all fit, listing only those in the schema cache', async () => {
    const anon = await rest.client('anon');
    const { error, status } = await anon.rpc('rx_defaulted');
    expect(status).toBe(300);
    expect(error).toMatchObject({
      code: 'PGRST203',
      message:
        'Could not choose the best candidate function between: public.rx_defaulted(), public.rx_defaulted( => text)',
      hint: 'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
    });
    const chosen = await anon.rpc('rx_defaulted', { '': 'y' });
    expect(chosen.data).toBe('{"":"y"}');
  });

  it('counts rpc results: one for a scalar, the filtered rows of a set whatever the page', async () => {
    const anon = await rest.client('anon');
    const scalar = await anon.rpc('rx_total_items', {}, { count: 'exact' });
    expect(scalar).toMatchObject({ data: 4, count: 1, error: null });
    const page = await anon
      .rpc('rx_items_from', { min_id: 2 }, { count: 'exact' })
      .select('id')
      .neq('id', 3)
      .range(0, 0);
    expect(page.error).toBeNull();
    expect(page.data).toEqual([{ id: 2 }]);
    expect(page.count).toBe(2);
    const head = await anon.rpc('rx_items_from', { min_id: 1 }, { count: 'exact', head: true });
    expect(head).toMatchObject({ data: null, count: 4, error: null });
  });

  it('refuses an rpc returning more rows than maxAffected with PGRST124 and rolls its writes back', async () => {
    const anon = postgrest13();
    const refused = await anon.rpc('rx_close_from', { min_id: 2 }).maxAffected(2);
    expect(refused.status).toBe(400);
    expect(refused.error).toMatchObject({ code: 'PGRST124', details: 'The query affects 3 rows' });
    const { data } = await (await rest.client('anon')).from('rx_items').select('id').eq('status', 'closed');
    expect(data).toEqual([]);

    const allowed = await anon.rpc('rx_close_from', { min_id: 4 }).maxAffected(1);
    expect(allowed.error).toBeNull();
    expect(allowed.data).toEqual([{ id: 4, status: 'closed' }]);
  });

  it('refuses maxAffected on a function that returns one value with PGRST128', async () => {
    const { error, status } = await postgrest13().rpc('rx_total_items').maxAffected(1);
    expect(status).toBe(400);
    expect(error).toMatchObject({
      code: 'PGRST128',
      message: 'Function must return SETOF or TABLE when max-affected preference is used with handling=strict',
    });
  });
});
