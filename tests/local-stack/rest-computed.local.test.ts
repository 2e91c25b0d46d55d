import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../_db.ts';
import { startRestStack, type RestStack } from '../_support/rest.ts';

/**
 * PostgREST's computed fields (`f(row) returns scalar`: selectable, filterable and orderable like
 * a column, never part of `*`) and computed relationships (`f(row) returns [setof] table`:
 * embeddable like a foreign key), and embeds from the rows a function returns — checked through
 * postgrest-js. The schema is the test's own.
 */
const TEST_SCHEMA = `
create table public.cx_channels (id int primary key, slug text not null);
create table public.cx_messages (
  id int primary key,
  channel_id int not null references public.cx_channels,
  body text not null,
  author text not null
);
create view public.cx_recent as select * from public.cx_messages;
insert into public.cx_channels values (1, 'general'), (2, 'random'), (3, 'empty');
insert into public.cx_messages values
  (1, 1, 'Hello there', 'ada'), (2, 1, 'Perfect', 'bob'), (3, 2, 'Something else', 'ada');

create function public.preview(public.cx_messages) returns text
language sql stable as $$ select left($1.body, 3) $$;
create function public.channel_messages(public.cx_channels) returns setof public.cx_messages
language sql stable as $$ select * from public.cx_messages where channel_id = $1.id order by id $$;
create function public.first_message(public.cx_channels) returns setof public.cx_messages rows 1
language sql stable as $$ select * from public.cx_messages where channel_id = $1.id order by id limit 1 $$;
create function public.home(public.cx_messages) returns public.cx_channels
language sql stable as $$ select * from public.cx_channels where id = $1.channel_id $$;
create function public.messages_by(author_name text) returns setof public.cx_messages
language sql stable as $$ select * from public.cx_messages where author = author_name $$;
create function public.recent_by(author_name text) returns setof public.cx_recent
language sql stable as $$ select * from public.cx_recent where author = author_name $$;
`;

describe.each(BACKENDS)('/rest/v1 computed fields and relationships (%s)', (backend) => {
  let rest: RestStack;
  beforeAll(async () => {
    rest = await startRestStack(backend);
    await rest.database.db.exec(TEST_SCHEMA);
  });
  afterAll(async () => {
    await rest?.stop();
  });

  it('selects, filters and orders by a computed field, which * leaves out', async () => {
    const anon = await rest.client('anon');
    const star = await anon.from('cx_messages').select('*').eq('id', 1).single();
    expect(star.data).toEqual({ id: 1, channel_id: 1, body: 'Hello there', author: 'ada' });

    const { data, error } = await anon
      .from('cx_messages')
      .select('id, preview')
      .neq('preview', 'Per')
      .order('preview', { ascending: false });
    expect(error).toBeNull();
    expect(data).toEqual([
      { id: 3, preview: 'Som' },
      { id: 1, preview: 'Hel' },
    ]);
    const both = await anon.from('cx_messages').select('*, preview').eq('id', 2).single();
    expect(both.data).toEqual({ id: 2, channel_id: 1, body: 'Perfect', author: 'bob', preview: 'Per' });
  });

  it("answers an unknown name with Postgres's 42703, naming the relation as PostgREST's SQL does", async () => {
    const anon = await rest.client('anon');
    const top = await anon.from('cx_messages').select('id, nope');
    expect(top.status).toBe(400);
    expect(top.error).toMatchObject({ code: '42703', message: 'column cx_messages.nope does not exist' });
    const embedded = await anon.from('cx_channels').select('id, cx_messages(nope)');
    expect(embedded.error).toMatchObject({ code: '42703', message: 'column cx_messages_1.nope does not exist' });
  });

  it('embeds a set-returning computed relationship as an array, with computed fields inside', async () => {
    const anon = await rest.client('anon');
    const { data, error } = await anon.from('cx_channels').select('slug, channel_messages(id, preview)').order('id');
    expect(error).toBeNull();
    expect(data).toEqual([
      {
        slug: 'general',
        channel_messages: [
          { id: 1, preview: 'Hel' },
          { id: 2, preview: 'Per' },
        ],
      },
      { slug: 'random', channel_messages: [{ id: 3, preview: 'Som' }] },
      { slug: 'empty', channel_messages: [] },
    ]);
  });

  it('embeds a computed relationship returning one row (or `rows 1`) as an object or null', async () => {
    const anon = await rest.client('anon');
    const firsts = await anon.from('cx_channels').select('slug, first_message(author)').order('id');
    expect(firsts.error).toBeNull();
    expect(firsts.data).toEqual([
      { slug: 'general', first_message: { author: 'ada' } },
      { slug: 'random', first_message: { author: 'ada' } },
      { slug: 'empty', first_message: null },
    ]);
    const homes = await anon.from('cx_messages').select('id, home(slug)').eq('id', 3).single();
    expect(homes.data).toEqual({ id: 3, home: { slug: 'random' } });
  });

  it("embeds from a function's rows over their table's foreign keys, with computed fields and filters", async () => {
    const anon = await rest.client('anon');
    const { data, error } = await anon
      .rpc('messages_by', { author_name: 'ada' })
      .select('id, preview, cx_channels(slug)')
      .eq('preview', 'Som');
    expect(error).toBeNull();
    expect(data).toEqual([{ id: 3, preview: 'Som', cx_channels: { slug: 'random' } }]);
  });

  it('embeds from the rows of a function returning a view, over the keys the view carries', async () => {
    const anon = await rest.client('anon');
    const { data, error } = await anon.rpc('recent_by', { author_name: 'bob' }).select('body, cx_channels(slug)');
    expect(error).toBeNull();
    expect(data).toEqual([{ body: 'Perfect', cx_channels: { slug: 'general' } }]);
  });
});
