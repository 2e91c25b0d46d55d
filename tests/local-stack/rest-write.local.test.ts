import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_RUNS, ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { startRestStack, type RestStack } from '../_support/rest.ts';

describe.each(BACKENDS)('/rest/v1 writes and rpc through supabase-js (%s)', (backend) => {
  let rest: RestStack;
  beforeAll(async () => {
    rest = await startRestStack(backend);
  });
  afterAll(async () => {
    await rest?.stop();
  });

  /** The row as the database holds it, read past RLS. */
  async function stored(table: string, id: string): Promise<Record<string, unknown> | undefined> {
    const { data } = await (await rest.client('service_role')).from(table).select().eq('id', id).maybeSingle();
    return data ?? undefined;
  }

  it('lets the owner rename an Acme publisher and bumps its version', async () => {
    const owner = await rest.client('acmeOwner');
    const { data, error, status } = await owner
      .from('publishers')
      .update({ name: 'Liberty Print & Co' })
      .eq('id', PUBLISHERS.libertyPrint.id)
      .select('name,version,updated_by')
      .single();
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toEqual({ name: 'Liberty Print & Co', version: 2, updated_by: USERS.acmeOwner.id });
    // Without select(): 204 and no body, as PostgREST's return=minimal.
    const minimal = await owner.from('publishers').update({ status: 'active' }).eq('id', PUBLISHERS.libertyPrint.id);
    expect(minimal).toMatchObject({ status: 204, data: null, error: null });
  });

  it('updates nothing for a Globex member or the agent (RLS hides or refuses the rows)', async () => {
    const globex = await rest.client('globexMember');
    const foreign = await globex
      .from('publishers')
      .update({ name: 'Taken over' })
      .eq('id', PUBLISHERS.harborHouse.id)
      .select();
    expect(foreign).toMatchObject({ status: 200, data: [], error: null });

    const agent = await rest.client('acmeAgent');
    const byAgent = await agent
      .from('publishers')
      .update({ name: 'Agent was here' })
      .eq('id', PUBLISHERS.harborHouse.id)
      .select();
    expect(byAgent).toMatchObject({ data: [], error: null });
    expect(await stored('publishers', PUBLISHERS.harborHouse.id)).toMatchObject({ name: 'Harbor House', version: 1 });
  });

  it('refuses a territory-restricted member moving a publisher out of their territory (403, 42501)', async () => {
    const west = await rest.client('acmeWest');
    const moved = await west.from('publishers').update({ territory: 'US_East' }).eq('id', PUBLISHERS.pacificPress.id);
    expect(moved.status).toBe(403);
    expect(moved.error).toMatchObject({
      code: '42501',
      message: 'new row violates row-level security policy for table "publishers"',
    });
    // A column the member has no UPDATE grant on is refused by Postgres's privileges.
    const version = await west.from('publishers').update({ version: 99 }).eq('id', PUBLISHERS.pacificPress.id);
    expect(version.status).toBe(403);
    expect(version.error).toMatchObject({ code: '42501', message: 'permission denied for table publishers' });
  });

  it('refuses an insert into another organisation: 403 for a user, 401 for anon', async () => {
    const owner = await rest.client('acmeOwner');
    const other = await owner
      .from('publishers')
      .insert({ organization_id: ORGS.globex.id, name: 'Smuggled', territory: 'EU_North' });
    expect(other.status).toBe(403);
    expect(other.error).toMatchObject({
      code: '42501',
      message: 'new row violates row-level security policy for table "publishers"',
    });
    const anon = await (await rest.client('anon'))
      .from('publishers')
      .insert({ organization_id: ORGS.acme.id, name: 'Anonymous' });
    expect(anon.status).toBe(401);
    expect(anon.error).toMatchObject({ code: '42501' });
  });

  it('inserts one row or many, returning what select() asks for', async () => {
    const owner = await rest.client('acmeOwner');
    const one = await owner
      .from('publishers')
      .insert({ organization_id: ORGS.acme.id, name: 'Quill House', territory: 'US_East' })
      .select('name,status,version')
      .single();
    expect(one).toMatchObject({ status: 201, data: { name: 'Quill House', status: 'prospect', version: 1 } });

    const minimal = await owner
      .from('publishers')
      .insert({ organization_id: ORGS.acme.id, name: 'Silent House', territory: 'US_East' });
    expect(minimal).toMatchObject({ status: 201, data: null, error: null });

    const bulk = await owner
      .from('publishers')
      .insert([
        { organization_id: ORGS.acme.id, name: 'Bulk One', territory: 'US_West' },
        { organization_id: ORGS.acme.id, name: 'Bulk Two', territory: 'US_East', status: 'active' },
      ])
      .select('name,status');
    expect(bulk.status).toBe(400);
    // supabase-js sends `columns` for arrays, so a key missing from one object is null there — and the
    // column's NOT NULL refuses it, exactly as on PostgREST…
    expect(bulk.error).toMatchObject({ code: '23502' });
    // …unless `defaultToNull: false` asks for the column default.
    const defaults = await owner
      .from('publishers')
      .insert(
        [
          { organization_id: ORGS.acme.id, name: 'Bulk One', territory: 'US_West' },
          { organization_id: ORGS.acme.id, name: 'Bulk Two', territory: 'US_East', status: 'active' },
        ],
        { defaultToNull: false },
      )
      .select('name,status');
    expect(defaults.data).toEqual([
      { name: 'Bulk One', status: 'prospect' },
      { name: 'Bulk Two', status: 'active' },
    ]);
  });

  it('answers constraint violations with 409, 400 and the SQLSTATE', async () => {
    const service = await rest.client('service_role');
    const duplicate = await service.from('organizations').insert({ id: ORGS.acme.id, name: 'Acme again' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.error).toMatchObject({ code: '23505' });
    const dangling = await service
      .from('publishers')
      .insert({ organization_id: '99999999-9999-4999-8999-999999999999', name: 'Orphan' });
    expect(dangling.status).toBe(409);
    expect(dangling.error).toMatchObject({ code: '23503' });
    const check = await service
      .from('publishers')
      .insert({ organization_id: ORGS.acme.id, name: 'Bad status', status: 'NOT VALID' });
    expect(check.status).toBe(400);
    expect(check.error).toMatchObject({ code: '23514' });
    const unknown = await service
      .from('publishers')
      .insert({ organization_id: ORGS.acme.id, name: 'x', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.error).toMatchObject({
      code: 'PGRST204',
      message: "Could not find the 'colour' column of 'publishers' in the schema cache",
    });
  });

  it("upserts an agent run as the agent account, on_conflict id, and keeps others' runs out of reach", async () => {
    const agent = await rest.client('acmeAgent');
    const run = {
      id: AGENT_RUNS.acmeEnrichment.id,
      organization_id: ORGS.acme.id,
      agent_id: 'enrichment-agent',
      status: 'processing',
      progress: 75,
      current_task: 'Enriching Pacific Press',
    };
    const upserted = await agent
      .from('agent_runs')
      .upsert(run, { onConflict: 'id' })
      .select('id,progress,current_task,seq')
      .single();
    expect(upserted.error).toBeNull();
    // PostgREST answers 201 only when an upsert inserted a row; this one updated the existing run.
    expect(upserted.status).toBe(200);
    expect(upserted.data).toMatchObject({ id: run.id, progress: 75, current_task: 'Enriching Pacific Press', seq: 2 });

    const fresh = await agent
      .from('agent_runs')
      .upsert({ organization_id: ORGS.acme.id, agent_id: 'new-agent', status: 'queued', queue_position: 1 })
      .select('agent_id,status,seq')
      .single();
    expect(fresh.status).toBe(201);
    expect(fresh.data).toEqual({ agent_id: 'new-agent', status: 'queued', seq: 1 });

    const ignored = await agent
      .from('agent_runs')
      .upsert({ ...run, progress: 1 }, { onConflict: 'id', ignoreDuplicates: true })
      .select();
    expect(ignored.data).toEqual([]);
    expect(await stored('agent_runs', run.id)).toMatchObject({ progress: 75 });

    const foreign = await agent.from('agent_runs').upsert(
      {
        id: AGENT_RUNS.globexEnrichment.id,
        organization_id: ORGS.globex.id,
        agent_id: 'enrichment-agent',
        status: 'error',
      },
      { onConflict: 'id' },
    );
    expect(foreign.status).toBe(403);
    expect(foreign.error).toMatchObject({ code: '42501' });
  });

  it('deletes with filters only, as the role allows', async () => {
    const owner = await rest.client('acmeOwner');
    const unfiltered = await owner.from('publishers').delete();
    expect(unfiltered.status).toBe(400);
    expect(unfiltered.error).toMatchObject({ code: '21000', message: 'DELETE requires a WHERE clause' });

    // A filter on an embedded resource never narrows a write: refused rather than silently dropped.
    const embeddedOnly = await owner
      .from('publishers')
      .delete()
      .neq('name', 'nobody')
      .eq('organizations.name', 'Globex Media');
    expect(embeddedOnly.status).toBe(400);
    expect(embeddedOnly.error).toMatchObject({ code: 'PGRST108' });

    const created = await owner
      .from('publishers')
      .insert({ organization_id: ORGS.acme.id, name: 'Short Lived', territory: 'US_West' })
      .select('id')
      .single();
    const id = (created.data as { id: string }).id;
    const west = await rest.client('acmeWest');
    expect((await west.from('publishers').delete().eq('id', id).select()).data).toEqual([]);
    const deleted = await owner.from('publishers').delete().eq('id', id).select('name');
    expect(deleted.data).toEqual([{ name: 'Short Lived' }]);
    expect(await stored('publishers', id)).toBeUndefined();
  });

  it('rolls a singular write back when it touches more than one row', async () => {
    const owner = await rest.client('acmeOwner');
    const many = await owner
      .from('publishers')
      .update({ status: 'paused' })
      .eq('territory', 'US_West')
      .select('id')
      .single();
    expect(many.status).toBe(406);
    expect(many.error).toMatchObject({ code: 'PGRST116' });
    expect(await stored('publishers', PUBLISHERS.sunriseBooks.id)).toMatchObject({ status: 'active' });
  });

  it('calls functions with named arguments as the caller, so RLS applies inside', async () => {
    const owner = await rest.client('acmeOwner');
    const west = await rest.client('acmeWest');
    // Other tests in this file add publishers, so compare with what a plain read shows each user.
    const visible = async (client: typeof owner, territory?: string) => {
      let query = client.from('publishers').select('name').eq('organization_id', ORGS.acme.id);
      if (territory) query = query.eq('territory', territory);
      return ((await query.order('name')).data ?? []).map((r) => r.name as string);
    };
    const ownerCount = await owner.rpc('publisher_count', { org: ORGS.acme.id });
    expect(ownerCount).toMatchObject({ status: 200, error: null, data: (await visible(owner)).length });
    const westCount = await west.rpc('publisher_count', { org: ORGS.acme.id });
    expect(westCount.data).toBe((await visible(west)).length);
    expect(westCount.data).toBeLessThan(ownerCount.data as number);
    expect((await west.rpc('publisher_count', { org: ORGS.acme.id, min_version: 1000 })).data).toBe(0);

    const set = await west.rpc('publishers_in', { territory_filter: 'US_West' }).select('name').order('name');
    expect((set.data as { name: string }[]).map((r) => r.name)).toEqual(await visible(west, 'US_West'));
    expect(set.data).toContainEqual({ name: 'Pacific Press' });
    const filtered = await owner.rpc('publishers_in').select('name').eq('name', 'Harbor House').single();
    expect(filtered.data).toEqual({ name: 'Harbor House' });
    const viaGet = await owner.rpc('publisher_count', { org: ORGS.globex.id }, { get: true });
    expect(viaGet.data).toBe(0);

    expect((await owner.rpc('echo_json', { payload: { nested: [1, 'two'] } })).data).toEqual({ nested: [1, 'two'] });
    expect(await owner.rpc('touch_nothing')).toMatchObject({ status: 204, data: null, error: null });

    const missing = await owner.rpc('publisher_count', { organisation: ORGS.acme.id });
    expect(missing.status).toBe(404);
    expect(missing.error).toMatchObject({
      code: 'PGRST202',
      message: 'Could not find the function public.publisher_count(organisation) in the schema cache',
    });
    // GET runs READ ONLY: a volatile function may be called that way, but not write.
    expect((await owner.rpc('touch_nothing', {}, { get: true })).status).toBe(204);
    const writingGet = await owner.rpc('next_hit', {}, { get: true });
    expect(writingGet.status).toBe(405);
    expect(writingGet.error).toMatchObject({ code: '25006' });
    expect((await owner.rpc('next_hit')).data).toEqual(expect.any(Number));
  });

  it('honours Prefer: tx=rollback and return=headers-only', async () => {
    const owner = await rest.client('acmeOwner');
    const rolledBack = await owner
      .from('publishers')
      .update({ name: 'Never Saved' })
      .eq('id', PUBLISHERS.sunriseBooks.id)
      .select('name')
      .rollback();
    expect(rolledBack.data).toEqual([{ name: 'Never Saved' }]);
    expect(await stored('publishers', PUBLISHERS.sunriseBooks.id)).toMatchObject({ name: 'Sunrise Books' });

    const response = await rest.fetch('/rest/v1/publishers', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await rest.token('acmeOwner')}`,
        'content-type': 'application/json',
        prefer: 'return=headers-only',
      },
      body: JSON.stringify({ organization_id: ORGS.acme.id, name: 'Located', territory: 'US_East' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toMatch(/^\/publishers\?id=eq\.[0-9a-f-]{36}$/);
    expect(await response.text()).toBe('');

    const badJson = await rest.fetch('/rest/v1/publishers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ code: 'PGRST102', message: 'Empty or invalid json' });
    const notObject = await rest.fetch('/rest/v1/publishers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[1,2]',
    });
    expect(notObject.status).toBe(400);
    expect(await notObject.json()).toMatchObject({ code: 'PGRST102' });
  });
});
