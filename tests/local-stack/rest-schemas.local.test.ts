import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../_db.ts';
import { startRestStack, type RestStack } from '../_support/rest.ts';

/**
 * Exposed schemas through postgrest-js's `schema()`: `public` only, until the database sets
 * PostgREST's `pgrst.db_schemas` on the authenticator role; then `Accept-Profile` /
 * `Content-Profile` pick among them, tables, embeds and functions alike.
 */
const TEST_SCHEMA = `
create schema sx_api;
grant usage on schema sx_api to anon, authenticated;
create table sx_api.authors (id int primary key, name text not null);
create table sx_api.books (id int primary key, author_id int not null references sx_api.authors, title text not null);
create function sx_api.book_count(author int) returns int language sql stable as
  $$ select count(*)::int from sx_api.books where author_id = author $$;
grant all on all tables in schema sx_api to anon, authenticated;
insert into sx_api.authors values (1, 'ada');
insert into sx_api.books values (1, 1, 'Notes'), (2, 1, 'Letters');
`;

describe.each(BACKENDS)('/rest/v1 exposes the schemas the database configures (%s)', (backend) => {
  let rest: RestStack;
  beforeAll(async () => {
    rest = await startRestStack(backend);
    await rest.database.db.exec(TEST_SCHEMA);
  });
  afterAll(async () => {
    await rest?.stop();
  });

  it('exposes only public by default: another profile is 406 PGRST106', async () => {
    const anon = await rest.client('anon');
    const { error, status } = await anon.schema('sx_api').from('authors').select();
    expect(status).toBe(406);
    expect(error).toMatchObject({
      code: 'PGRST106',
      message: 'Invalid schema: sx_api',
      hint: 'Only the following schemas are exposed: public',
    });
  });

  it('serves tables, embeds and functions of a schema listed in pgrst.db_schemas', async () => {
    const { rows } = await rest.database.db.query<{ name: string }>('select current_database() as name');
    // Scoped to this test's database: the PostgreSQL server is shared.
    await rest.database.db.exec(
      `alter role authenticator in database "${rows[0]!.name}" set pgrst.db_schemas = 'public, sx_api'`,
    );
    const api = (await rest.client('anon')).schema('sx_api');
    const authors = await api.from('authors').select('name, books(title)').order('id');
    expect(authors.error).toBeNull();
    expect(authors.data).toEqual([{ name: 'ada', books: [{ title: 'Notes' }, { title: 'Letters' }] }]);

    const inserted = await api.from('books').insert({ id: 3, author_id: 1, title: 'Poems' }).select('title');
    expect(inserted).toMatchObject({ status: 201, data: [{ title: 'Poems' }] });
    const counted = await api.rpc('book_count', { author: 1 });
    expect(counted).toMatchObject({ data: 3, error: null });

    const other = await (await rest.client('anon')).schema('elsewhere').from('authors').select();
    expect(other.error).toMatchObject({
      code: 'PGRST106',
      hint: 'Only the following schemas are exposed: public, sx_api',
    });
    // public stays the default schema: the first listed.
    const missing = await (await rest.client('anon')).from('authors').select();
    expect(missing.error).toMatchObject({
      code: 'PGRST205',
      message: "Could not find the table 'public.authors' in the schema cache",
    });
  });
});
