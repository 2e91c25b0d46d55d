import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@supabase/supabase-js';
import { FIXTURE_PASSWORD, ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { startRestStack, type RestStack } from '../_support/rest.ts';

const names = (rows: { name: string }[] | null) => (rows ?? []).map((r) => r.name).sort();

describe.each(BACKENDS)('/rest/v1 reads through supabase-js (%s)', (backend) => {
  let rest: RestStack;
  beforeAll(async () => {
    rest = await startRestStack(backend);
  });
  afterAll(async () => {
    await rest?.stop();
  });

  it('returns only the publishers RLS lets each user see', async () => {
    const expectations = [
      ['acmeOwner', ['Harbor House', 'Liberty Print', 'Pacific Press', 'Sunrise Books']],
      ['acmeWest', ['Pacific Press', 'Sunrise Books']],
      ['globexMember', ['Globex Tomes']],
      ['anon', []],
    ] as const;
    for (const [who, expected] of expectations) {
      const { data, error, status } = await (await rest.client(who)).from('publishers').select('name');
      expect(error, who).toBeNull();
      expect(status).toBe(200);
      expect(names(data), who).toEqual([...expected]);
    }
    const { data } = await (await rest.client('service_role')).from('publishers').select('id');
    expect(data).toHaveLength(5);
  });

  it('serves a session from auth.signInWithPassword: the signed-in user sees what RLS allows', async () => {
    const expectations = [
      ['acmeOwner', 4],
      ['acmeWest', 2],
      ['globexMember', 1],
    ] as const;
    for (const [user, count] of expectations) {
      const client = createClient(rest.stack.url, rest.stack.config.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false },
      });
      const { error: signInError } = await client.auth.signInWithPassword({
        email: USERS[user].email,
        password: FIXTURE_PASSWORD,
      });
      expect(signInError, user).toBeNull();
      const { data, error } = await client.from('publishers').select('name,organization_id');
      expect(error).toBeNull();
      expect(data, user).toHaveLength(count);
      expect(new Set(data?.map((p) => p.organization_id)), user).toEqual(new Set([USERS[user].orgId]));
      await client.auth.signOut();
      // Signed out, the client is back to the anon key: RLS shows nothing.
      expect((await client.from('publishers').select('id')).data).toEqual([]);
    }
  });

  it('filters, orders, limits and counts', async () => {
    const owner = await rest.client('acmeOwner');
    const west = await owner.from('publishers').select('name,territory').eq('territory', 'US_West').order('name');
    expect(west.data).toEqual([
      { name: 'Pacific Press', territory: 'US_West' },
      { name: 'Sunrise Books', territory: 'US_West' },
    ]);
    const page = await owner
      .from('publishers')
      .select('name', { count: 'exact' })
      .order('name', { ascending: false })
      .range(1, 2);
    expect(page.status).toBe(206);
    expect(page.count).toBe(4);
    expect(page.data).toEqual([{ name: 'Pacific Press' }, { name: 'Liberty Print' }]);
    const limited = await owner.from('publishers').select('name').order('name').limit(1);
    expect(limited.data).toEqual([{ name: 'Harbor House' }]);
    expect((await owner.from('publishers').select('name').neq('territory', 'US_West').gt('name', 'I')).data).toEqual([
      { name: 'Liberty Print' },
    ]);
    expect(names((await owner.from('publishers').select('name').ilike('name', '%PRESS%')).data)).toEqual([
      'Pacific Press',
    ]);
    expect(names((await owner.from('publishers').select('name').like('name', '*Books')).data)).toEqual([
      'Sunrise Books',
    ]);
    expect(names((await owner.from('publishers').select('name').in('status', ['active', 'negotiating'])).data)).toEqual(
      ['Harbor House', 'Liberty Print', 'Sunrise Books'],
    );
    expect(names((await owner.from('publishers').select('name').is('owner_id', null)).data)).toEqual(['Pacific Press']);
    expect(
      names(
        (
          await owner
            .from('publishers')
            .select('name')
            .not('owner_id', 'is', null)
            .lte('version', 1)
            .gte('version', 1)
            .lt('name', 'M')
        ).data,
      ),
    ).toEqual(['Harbor House', 'Liberty Print']);
    expect(
      names((await owner.from('publishers').select('name').or('territory.eq.US_East,name.ilike.*sun*')).data),
    ).toEqual(['Harbor House', 'Liberty Print', 'Sunrise Books']);
    expect(
      names(
        (
          await owner
            .from('publishers')
            .select('name')
            .or('status.eq.active,and(territory.eq.US_West,owner_id.is.null)')
        ).data,
      ),
    ).toEqual(['Liberty Print', 'Pacific Press', 'Sunrise Books']);
  });

  it('selects aliases, JSON paths and casts, and orders nulls', async () => {
    const owner = await rest.client('acmeOwner');
    const { data } = await owner
      .from('publishers')
      .select('title:name, genre:custom_fields->>genre, titles:custom_fields->titles, version::text')
      .eq('custom_fields->>genre', 'fiction');
    expect(data).toEqual([{ title: 'Sunrise Books', genre: 'fiction', titles: 120, version: '1' }]);
    const ordered = await owner
      .from('publishers')
      .select('name')
      .order('owner_id', { ascending: true, nullsFirst: true })
      .order('name');
    expect(ordered.data?.[0]).toEqual({ name: 'Pacific Press' });
  });

  it('embeds related rows over foreign keys, with RLS applied to them too', async () => {
    const west = await rest.client('acmeWest');
    const toOne = await west
      .from('publishers')
      .select('name, org:organizations(name)')
      .eq('id', PUBLISHERS.sunriseBooks.id)
      .single();
    expect(toOne.data).toEqual({ name: 'Sunrise Books', org: { name: 'Acme Publishing' } });

    const toMany = await west.from('organizations').select('name, publishers(name, territory)').single();
    expect(toMany.error).toBeNull();
    const embedded = (toMany.data as unknown as { publishers: { name: string; territory: string }[] }).publishers;
    expect(embedded.map((p) => p.territory)).toEqual(['US_West', 'US_West']);

    const members = await west
      .from('organization_members')
      .select('role, organizations(id)')
      .eq('user_id', USERS.acmeWest.id);
    expect(members.data).toEqual([{ role: 'member', organizations: { id: ORGS.acme.id } }]);

    // An organisation without publishers: kept by a plain embed (with []), dropped by !inner.
    const service = await rest.client('service_role');
    expect((await service.from('organizations').insert({ name: 'Empty Imprint' })).error).toBeNull();
    const outer = await service.from('organizations').select('name, publishers(id)').eq('name', 'Empty Imprint');
    expect(outer.data).toEqual([{ name: 'Empty Imprint', publishers: [] }]);
    const inner = await service.from('organizations').select('name, publishers!inner(id)').order('name');
    expect(inner.data?.map((o) => o.name)).toEqual(['Acme Publishing', 'Globex Media']);

    // Filters, order and limit on an embedded resource shape the embed, not the parent rows…
    const shaped = await (await rest.client('acmeOwner'))
      .from('organizations')
      .select('name, publishers(name)')
      .eq('publishers.territory', 'US_East')
      .order('name', { referencedTable: 'publishers', ascending: false })
      .limit(1, { referencedTable: 'publishers' });
    expect(shaped.data).toEqual([{ name: 'Acme Publishing', publishers: [{ name: 'Liberty Print' }] }]);
    // …unless !inner makes the parent depend on them.
    const innerFiltered = await service
      .from('organizations')
      .select('name, publishers!inner(name)')
      .eq('publishers.territory', 'EU_North');
    expect(innerFiltered.data).toEqual([{ name: 'Globex Media', publishers: [{ name: 'Globex Tomes' }] }]);
    const notEmbedded = await west.from('publishers').select('name').eq('organizations.name', 'Acme Publishing');
    expect(notEmbedded.status).toBe(400);
    expect(notEmbedded.error).toMatchObject({
      code: 'PGRST108',
      message: "'organizations' is not an embedded resource in this request",
    });

    const unrelated = await west.from('publishers').select('name, notifications(id)');
    expect(unrelated.status).toBe(400);
    expect(unrelated.error).toMatchObject({
      code: 'PGRST200',
      message: "Could not find a relationship between 'publishers' and 'notifications' in the schema cache",
    });
  });

  it('answers single() and maybeSingle() as PostgREST does', async () => {
    const owner = await rest.client('acmeOwner');
    const one = await owner.from('publishers').select('id,name').eq('id', PUBLISHERS.harborHouse.id).single();
    expect(one.data).toEqual({ id: PUBLISHERS.harborHouse.id, name: 'Harbor House' });

    const none = await owner.from('publishers').select('id').eq('id', PUBLISHERS.globexTomes.id).single();
    expect(none.status).toBe(406);
    expect(none.error).toMatchObject({
      code: 'PGRST116',
      details: 'The result contains 0 rows',
      message: 'Cannot coerce the result to a single JSON object',
    });

    const many = await owner.from('publishers').select('id').single();
    expect(many.status).toBe(406);
    expect(many.error).toMatchObject({ code: 'PGRST116', details: 'The result contains 4 rows' });

    const maybeNone = await owner.from('publishers').select('id').eq('name', 'nobody').maybeSingle();
    expect(maybeNone).toMatchObject({ data: null, error: null, status: 200 });
    const maybeOne = await owner.from('publishers').select('name').eq('id', PUBLISHERS.libertyPrint.id).maybeSingle();
    expect(maybeOne.data).toEqual({ name: 'Liberty Print' });
    const maybeMany = await owner.from('publishers').select('name').maybeSingle();
    expect(maybeMany.error).toMatchObject({ code: 'PGRST116' });
  });

  it('counts with head requests and the Range header', async () => {
    const west = await rest.client('acmeWest');
    const head = await west.from('publishers').select('*', { count: 'exact', head: true });
    expect(head).toMatchObject({ count: 2, data: null, error: null });

    const response = await rest.fetch('/rest/v1/publishers?select=name&order=name', {
      headers: { authorization: `Bearer ${await rest.token('acmeOwner')}`, range: '1-2', prefer: 'count=exact' },
    });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('1-2/4');
    expect(await response.json()).toEqual([{ name: 'Liberty Print' }, { name: 'Pacific Press' }]);

    const beyond = await rest.fetch('/rest/v1/publishers?select=name&offset=10', {
      headers: { authorization: `Bearer ${await rest.token('acmeOwner')}`, prefer: 'count=exact' },
    });
    expect(beyond.status).toBe(416);
    expect(await beyond.json()).toMatchObject({
      code: 'PGRST103',
      details: 'An offset of 10 was requested, but there are only 4 rows.',
    });
  });

  it("keeps other organisations' rows out of every table", async () => {
    const globex = await rest.client('globexMember');
    const orgs = await globex.from('organizations').select('id');
    expect(orgs.data).toEqual([{ id: ORGS.globex.id }]);
    const runs = await globex.from('agent_runs').select('organization_id');
    expect(new Set(runs.data?.map((r) => r.organization_id))).toEqual(new Set([ORGS.globex.id]));
    const members = await (await rest.client('acmeWest'))
      .from('organization_members')
      .select('user_id')
      .order('user_id');
    expect(members.data?.map((m) => m.user_id)).toEqual(
      [USERS.acmeOwner.id, USERS.acmeWest.id, USERS.acmeAgent.id].sort(),
    );
  });

  it('answers unknown tables, columns, operators, schemas and bad tokens with PostgREST errors', async () => {
    const owner = await rest.client('acmeOwner');
    const table = await owner.from('publisher').select();
    expect(table.status).toBe(404);
    expect(table.error).toMatchObject({
      code: 'PGRST205',
      message: "Could not find the table 'public.publisher' in the schema cache",
      hint: "Perhaps you meant the table 'public.publishers'",
    });

    const column = await owner.from('publishers').select('nope');
    expect(column.status).toBe(400);
    expect(column.error).toMatchObject({ code: '42703', message: 'column publishers.nope does not exist' });

    const operator = await owner.from('publishers').select().filter('name', 'about', 'x');
    expect(operator.status).toBe(400);
    expect(operator.error).toMatchObject({ code: 'PGRST100', message: 'failed to parse filter (about.x)' });

    const badValue = await owner.from('publishers').select().eq('id', 'not-a-uuid');
    expect(badValue.status).toBe(400);
    expect(badValue.error).toMatchObject({
      code: '22P02',
      message: 'invalid input syntax for type uuid: "not-a-uuid"',
    });

    const schema = await owner.schema('private').from('publishers').select();
    expect(schema.status).toBe(406);
    expect(schema.error).toMatchObject({ code: 'PGRST106', message: 'Invalid schema: private' });

    const expired = await rest.fetch('/rest/v1/publishers', {
      headers: { authorization: `Bearer ${await rest.token('acmeOwner', -10)}` },
    });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ code: 'PGRST303', message: 'JWT expired', details: null, hint: null });

    const forged = await rest.fetch('/rest/v1/publishers', {
      headers: { authorization: `Bearer ${(await rest.token('acmeOwner')).slice(0, -4)}AAAA` },
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ code: 'PGRST301' });

    const csv = await rest.fetch('/rest/v1/publishers', { headers: { accept: 'text/csv' } });
    expect(csv.status).toBe(406);
    expect(await csv.json()).toMatchObject({ code: 'PGRST107' });
  });

  it('runs reads READ ONLY, as PostgREST does: a view that writes fails on GET with 405', async () => {
    const { status, error } = await (await rest.client('service_role')).from('hit_counter').select('n');
    expect(status).toBe(405);
    expect(error).toMatchObject({ code: '25006', message: 'cannot execute nextval() in a read-only transaction' });
  });

  it('accepts the sb_ publishable and secret keys as the anon and service_role keys', async () => {
    const anon = await rest.fetch('/rest/v1/publishers?select=id', {
      headers: { apikey: rest.stack.config.publishableKey },
    });
    expect(await anon.json()).toEqual([]);
    const service = await rest.fetch('/rest/v1/publishers?select=id', {
      headers: { apikey: rest.stack.config.secretKey, authorization: `Bearer ${rest.stack.config.secretKey}` },
    });
    expect(await service.json()).toHaveLength(5);
  });
});
