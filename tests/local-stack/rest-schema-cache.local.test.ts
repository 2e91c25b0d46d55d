import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../_db.ts';
import { startRestStack, type RestStack } from '../_support/rest.ts';

/**
 * `/rest/v1` keeps its schema cache (tables, functions, relationships) until a DDL command
 * commits, as Supabase's PostgREST reloads after each DDL: a second request reads no catalog, and
 * a table, column or function created while the stack runs is served by the next request.
 */
const SCHEMA = `
create table public.sc_authors (id int primary key, name text not null);
grant all on public.sc_authors to anon;
insert into public.sc_authors values (1, 'ada');
`;

/** The catalog reads of the schema cache: a table's columns, a function's overloads. */
const readsCatalog = (sql: string) => /\bpg_attribute\b|\bpg_proc\b/.test(sql);

describe.each(BACKENDS)('/rest/v1 schema cache (%s)', (backend) => {
  let rest: RestStack;
  beforeAll(async () => {
    rest = await startRestStack(backend);
    await rest.database.db.exec(SCHEMA);
  });
  afterAll(async () => {
    await rest?.stop();
  });

  it('reads the catalog for the first request only', async () => {
    const anon = await rest.client('anon');
    expect((await anon.from('sc_authors').select('name')).data).toEqual([{ name: 'ada' }]);
    rest.sqlLog.length = 0;
    expect((await anon.from('sc_authors').select('name')).data).toEqual([{ name: 'ada' }]);
    expect(rest.sqlLog.filter((r) => readsCatalog(r.sql))).toEqual([]);
  });

  it('serves a column, a table and a function created while the stack runs to the next request', async () => {
    const anon = await rest.client('anon');
    expect((await anon.from('sc_authors').select('id')).error).toBeNull();
    const before = await anon.from('sc_authors').select('born');
    expect(before.error).toMatchObject({ code: '42703' });
    const missingTable = await anon.from('sc_books').select();
    expect(missingTable.error).toMatchObject({ code: 'PGRST205' });
    const missingFunction = await anon.rpc('sc_author_count');
    expect(missingFunction.error).toMatchObject({ code: 'PGRST202' });

    await rest.database.db.exec(`
      alter table public.sc_authors add column born int;
      update public.sc_authors set born = 1815;
      create table public.sc_books (id int primary key, author_id int references public.sc_authors, title text);
      grant all on public.sc_books to anon;
      insert into public.sc_books values (1, 1, 'Notes');
      create function public.sc_author_count() returns int language sql stable as
        $$ select count(*)::int from public.sc_authors $$;
    `);

    expect((await anon.from('sc_authors').select('born')).data).toEqual([{ born: 1815 }]);
    const embedded = await anon.from('sc_authors').select('name, sc_books(title)');
    expect(embedded.data).toEqual([{ name: 'ada', sc_books: [{ title: 'Notes' }] }]);
    expect(await anon.rpc('sc_author_count')).toMatchObject({ data: 1, error: null });
  });

  it('forgets a dropped table at once', async () => {
    const anon = await rest.client('anon');
    await rest.database.db.exec(`create table public.sc_gone (id int); grant all on public.sc_gone to anon;`);
    expect((await anon.from('sc_gone').select()).error).toBeNull();
    await rest.database.db.exec('drop table public.sc_gone');
    expect((await anon.from('sc_gone').select()).error).toMatchObject({ code: 'PGRST205' });
  });
});
