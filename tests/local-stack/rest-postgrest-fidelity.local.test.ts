import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../_db.ts';
import { startRestStack, type RestStack } from '../_support/rest.ts';

/**
 * Answers that were wrong without an error, each checked through postgrest-js against what
 * PostgREST answers. The tables are the test's own (RLS off, Supabase's default grants), created
 * in this file's database only.
 */
const TEST_SCHEMA = `
create table public.test_spans (id int primary key, span int4range not null);
insert into public.test_spans values (1, '[1,3)'), (2, '[3,6)'), (3, '[6,10)'), (4, '[2,8)');

create table public.test_counters (id int primary key, n int not null default 0);
insert into public.test_counters (id) select generate_series(1, 5);

create table public.test_accounts (id int primary key, name text not null);
create table public.test_profiles (account_id int primary key references public.test_accounts (id), bio text);
create table public.test_badges (id int primary key, account_id int not null unique references public.test_accounts (id), label text);
create table public.test_posts (id int primary key, account_id int not null references public.test_accounts (id), title text);
insert into public.test_accounts values (1, 'ada'), (2, 'bob');
insert into public.test_profiles values (1, 'engineer');
insert into public.test_badges values (10, 1, 'gold');
insert into public.test_posts values (100, 1, 'first'), (101, 1, 'second');

create function public.test_add(int, int) returns int language sql immutable as $$ select $1 + $2 $$;
`;

/** An untyped schema on PostgREST 13, the version whose types offer postgrest-js `.maxAffected()`. */
type AnyTable = {
  Row: Record<string, unknown>;
  Insert: Record<string, unknown>;
  Update: Record<string, unknown>;
  Relationships: [];
};
type Postgrest13 = {
  __InternalSupabase: { PostgrestVersion: '13' };
  public: { Tables: Record<string, AnyTable>; Views: Record<never, never>; Functions: Record<never, never> };
};

describe.each(BACKENDS)('/rest/v1 answers as PostgREST does (%s)', (backend) => {
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
  const ids = (rows: Record<string, unknown>[] | null) =>
    (rows ?? []).map((r) => Number(r['id'])).sort((a, b) => a - b);

  it('rangeGte is nxl (&>, does not extend to the left of) and rangeLte is nxr (&<, does not extend to the right of)', async () => {
    const anon = await rest.client('anon');
    const gte = await anon.from('test_spans').select('id').rangeGte('span', '[2,4)');
    expect(gte.error).toBeNull();
    expect(ids(gte.data)).toEqual([2, 3, 4]);
    const lte = await anon.from('test_spans').select('id').rangeLte('span', '[2,4)');
    expect(lte.error).toBeNull();
    expect(ids(lte.data)).toEqual([1]);
  });

  it('refuses an update touching more rows than maxAffected with PGRST124 and rolls it back', async () => {
    const anon = postgrest13();
    const refused = await anon.from('test_counters').update({ n: 1 }).gt('id', 0).maxAffected(2);
    expect(refused.status).toBe(400);
    expect(refused.error).toMatchObject({
      code: 'PGRST124',
      message: 'Query result exceeds max-affected preference constraint',
      details: 'The query affects 5 rows',
      hint: null,
    });
    const { data } = await anon.from('test_counters').select('n');
    expect((data ?? []).map((r) => r['n'])).toEqual([0, 0, 0, 0, 0]);

    const allowed = await anon.from('test_counters').update({ n: 2 }).lte('id', 2).maxAffected(2);
    expect(allowed.error).toBeNull();
    const { data: after } = await anon.from('test_counters').select('id').eq('n', 2);
    expect(ids(after)).toEqual([1, 2]);
  });

  it('refuses a delete touching more rows than maxAffected and keeps every row', async () => {
    const anon = postgrest13();
    const refused = await anon.from('test_counters').delete().gte('id', 3).maxAffected(1);
    expect(refused.error).toMatchObject({ code: 'PGRST124', details: 'The query affects 3 rows' });
    const { count } = await anon.from('test_counters').select('*', { count: 'exact', head: true });
    expect(count).toBe(5);
  });

  it('ignores max-affected without handling=strict, as PostgREST does', async () => {
    const response = await rest.fetch('/rest/v1/test_counters?id=gte.4', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', prefer: 'max-affected=1' },
      body: JSON.stringify({ n: 4 }),
    });
    expect(response.status).toBe(204);
    const { data } = await (await rest.client('anon')).from('test_counters').select('id').eq('n', 4);
    expect(ids(data)).toEqual([4, 5]);
  });

  it('embeds a one-to-one relation (foreign key that is the primary key or unique) as an object from either side', async () => {
    const anon = await rest.client('anon');
    const { data, error } = await anon
      .from('test_accounts')
      .select('id, test_profiles(bio), test_badges(label), test_posts(title)')
      .order('id');
    expect(error).toBeNull();
    expect(data).toEqual([
      {
        id: 1,
        test_profiles: { bio: 'engineer' },
        test_badges: { label: 'gold' },
        test_posts: [{ title: 'first' }, { title: 'second' }],
      },
      { id: 2, test_profiles: null, test_badges: null, test_posts: [] },
    ]);
    const back = await anon.from('test_profiles').select('bio, test_accounts(name)');
    expect(back.data).toEqual([{ bio: 'engineer', test_accounts: { name: 'ada' } }]);
  });

  it.each([
    ['no arguments', {}],
    ['the empty name', { '': 1 }],
  ])('answers rpc to a function with unnamed parameters given %s with 404 PGRST202, not 500', async (_label, args) => {
    const { data, error, status } = await (await rest.client('anon')).rpc('test_add', args);
    expect(data).toBeNull();
    expect(status).toBe(404);
    expect(error?.code).toBe('PGRST202');
    expect(error?.message).toMatch(/^Could not find the function public\.test_add/);
  });
});
