import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../_db.ts';
import { startRestStack, type RestStack } from '../_support/rest.ts';

/**
 * How `/rest/v1` picks the relationship of an embed, checked through postgrest-js against what
 * PostgREST answers: the target may name the table, a view over it, the foreign key or its
 * column; a hint names the key or a column; a self-referencing key is reached by table name
 * (children) or by column (parent). Tables are the test's own (RLS off, Supabase's default grants).
 */
const TEST_SCHEMA = `
create table public.ex_users (username text primary key, status text not null default 'ONLINE');
create table public.ex_profiles (id int primary key, username text references public.ex_users);
create table public.ex_friends (
  id int primary key,
  first_user text not null references public.ex_users,
  second_user text not null references public.ex_users
);
create table public.ex_folders (id int primary key, name text not null, parent_id int references public.ex_folders);
create view public.ex_online as select username, status from public.ex_users where status = 'ONLINE';
create view public.ex_profile_list as select id as profile_id, username as handle from public.ex_profiles;
insert into public.ex_users values ('ada', 'ONLINE'), ('bob', 'OFFLINE');
insert into public.ex_profiles values (1, 'ada'), (2, 'bob'), (3, null);
insert into public.ex_friends values (1, 'ada', 'bob');
insert into public.ex_folders values (1, 'root', null), (2, 'docs', 1), (3, 'pics', 1), (4, 'drafts', 2);
`;

describe.each(BACKENDS)('/rest/v1 chooses embed relationships as PostgREST does (%s)', (backend) => {
  let rest: RestStack;
  beforeAll(async () => {
    rest = await startRestStack(backend);
    await rest.database.db.exec(TEST_SCHEMA);
  });
  afterAll(async () => {
    await rest?.stop();
  });

  it('embeds through the foreign key column named as the target, as one object under that name', async () => {
    const anon = await rest.client('anon');
    const { data, error } = await anon.from('ex_profiles').select('id, username(status)').order('id');
    expect(error).toBeNull();
    expect(data).toEqual([
      { id: 1, username: { status: 'ONLINE' } },
      { id: 2, username: { status: 'OFFLINE' } },
      { id: 3, username: null },
    ]);
  });

  it('embeds through the foreign key constraint named as the target', async () => {
    const anon = await rest.client('anon');
    const { data, error } = await anon
      .from('ex_users')
      .select('username, firsts:ex_friends_first_user_fkey(id), seconds:ex_friends_second_user_fkey(id)')
      .order('username');
    expect(error).toBeNull();
    expect(data).toEqual([
      { username: 'ada', firsts: [{ id: 1 }], seconds: [] },
      { username: 'bob', firsts: [], seconds: [{ id: 1 }] },
    ]);
  });

  it('answers an ambiguous embed with 300 PGRST201, the candidates as objects in details', async () => {
    const anon = await rest.client('anon');
    const { error, status } = await anon.from('ex_friends').select('ex_users(*)');
    expect(status).toBe(300);
    expect(error).toEqual({
      code: 'PGRST201',
      message: "Could not embed because more than one relationship was found for 'ex_friends' and 'ex_users'",
      details: [
        {
          cardinality: 'many-to-one',
          embedding: 'ex_friends with ex_users',
          relationship: 'ex_friends_first_user_fkey using ex_friends(first_user) and ex_users(username)',
        },
        {
          cardinality: 'many-to-one',
          embedding: 'ex_friends with ex_users',
          relationship: 'ex_friends_second_user_fkey using ex_friends(second_user) and ex_users(username)',
        },
      ],
      hint: "Try changing 'ex_users' to one of the following: 'ex_users!ex_friends_first_user_fkey', 'ex_users!ex_friends_second_user_fkey'. Find the desired relationship in the 'details' key.",
    });
  });

  it('embeds the same table twice only under different aliases: otherwise 400 with code 42712', async () => {
    const anon = await rest.client('anon');
    const twice = await anon.from('ex_friends').select('ex_users!first_user(*), ex_users!second_user(*)');
    expect(twice.status).toBe(400);
    expect(twice.error).toMatchObject({
      code: '42712',
      message: 'table name "ex_friends_ex_users_1" specified more than once',
    });
    const aliased = await anon
      .from('ex_friends')
      .select('first:ex_users!first_user(status), second:ex_users!second_user(status)')
      .single();
    expect(aliased.error).toBeNull();
    expect(aliased.data).toEqual({ first: { status: 'ONLINE' }, second: { status: 'OFFLINE' } });
  });

  it('reaches a self-referencing key by table name (children) or by column (the parent)', async () => {
    const anon = await rest.client('anon');
    const children = await anon.from('ex_folders').select('name, ex_folders(name)').eq('id', 1).single();
    expect(children.error).toBeNull();
    expect(children.data).toEqual({ name: 'root', ex_folders: [{ name: 'docs' }, { name: 'pics' }] });

    const parent = await anon.from('ex_folders').select('name, parent_id(name)').eq('id', 4).single();
    expect(parent.data).toEqual({ name: 'drafts', parent_id: { name: 'docs' } });

    const hinted = await anon.from('ex_folders').select('name, kids:ex_folders!parent_id(name)').eq('id', 2).single();
    expect(hinted.data).toEqual({ name: 'docs', kids: [{ name: 'drafts' }] });
  });

  it('refuses a self-reference hinted by its constraint name with PGRST200, as PostgREST does', async () => {
    const anon = await rest.client('anon');
    const { error, status } = await anon.from('ex_folders').select('ex_folders!ex_folders_parent_id_fkey(*)');
    expect(status).toBe(400);
    expect(error).toMatchObject({
      code: 'PGRST200',
      message: "Could not find a relationship between 'ex_folders' and 'ex_folders' in the schema cache",
      details:
        "Searched for a foreign key relationship between 'ex_folders' and 'ex_folders' using the hint 'ex_folders_parent_id_fkey' in the schema 'public', but no matches were found.",
    });
  });

  it('embeds views over the related tables, their key columns followed to the table (renamed ones too)', async () => {
    const anon = await rest.client('anon');
    const toView = await anon.from('ex_profiles').select('id, ex_online(status)').order('id');
    expect(toView.error).toBeNull();
    expect(toView.data).toEqual([
      { id: 1, ex_online: { status: 'ONLINE' } },
      { id: 2, ex_online: null },
      { id: 3, ex_online: null },
    ]);

    const fromView = await anon.from('ex_online').select('username, ex_profiles(id)');
    expect(fromView.data).toEqual([{ username: 'ada', ex_profiles: [{ id: 1 }] }]);

    const renamed = await anon.from('ex_profile_list').select('profile_id, ex_users(status)').order('profile_id');
    expect(renamed.error).toBeNull();
    expect(renamed.data).toEqual([
      { profile_id: 1, ex_users: { status: 'ONLINE' } },
      { profile_id: 2, ex_users: { status: 'OFFLINE' } },
      { profile_id: 3, ex_users: null },
    ]);
  });

  it('leaves an embed with no columns out of the result, its !inner filter still applied', async () => {
    const anon = await rest.client('anon');
    const { data, error } = await anon
      .from('ex_profiles')
      .select('id, ex_users!inner()')
      .eq('ex_users.status', 'OFFLINE');
    expect(error).toBeNull();
    expect(data).toEqual([{ id: 2 }]);
  });

  it('checks the relationship of a spread embed (PGRST200), then refuses the spread itself', async () => {
    const anon = await rest.client('anon');
    const missing = await anon.from('ex_profiles').select('id, ...ex_missing(*)');
    expect(missing.error).toMatchObject({
      code: 'PGRST200',
      message: "Could not find a relationship between 'ex_profiles' and 'ex_missing' in the schema cache",
    });
    const spread = await anon.from('ex_profiles').select('id, ...ex_users(status)');
    expect(spread.status).toBe(400);
    expect(spread.error).toMatchObject({
      code: 'PGRST100',
      details: 'spread embeds ("...") are not supported by the local stack',
    });
  });
});
