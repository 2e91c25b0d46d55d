import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JwtClaims } from '../../local-stack/db/index.ts';
import { AGENT_RUNS, ORGS, PUBLISHERS } from '../../supabase/fixture.ts';
import {
  createPostgresChangesEngine,
  type PostgresChangesEngine,
  type PostgresChangesPayload,
} from '../../local-stack/realtime/postgres-changes/index.ts';
import { Inbox } from '../_support/inbox.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { claimsFor } from './_as-user.ts';

/** Postgres changes engine (protocol reference §5) against PGlite and PostgreSQL. */
describe.each(BACKENDS)('Postgres changes engine on %s', (backend) => {
  let t: TestDatabase;
  let engine: PostgresChangesEngine;

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    await t.db.exec(`
      create table public.pc_items (
        id int primary key,
        title text,
        status text,
        tags text[],
        score numeric,
        done boolean,
        due timestamptz,
        secret text
      );
      revoke select on public.pc_items from anon;
      grant select (id, title, status, tags, score, done, due) on public.pc_items to anon;
      create table public.pc_full (id int primary key, label text);
      alter table public.pc_full replica identity full;
      create table public.pc_unpublished (id int primary key);
      create table public.pc_later (id int primary key, label text);
      alter publication supabase_realtime add table public.pc_items, public.pc_full;
      -- The project publishes agent_runs and publishers, inserts and updates only (DELETE events
      -- carry ids without RLS; tests/db/publication.db.test.ts). The engine's cases below show
      -- Realtime with a publication that publishes deletes too, on realistic RLS fixtures.
      alter publication supabase_realtime set (publish = 'insert, update, delete');
      alter publication supabase_realtime add table public.notifications;`);
    engine = await createPostgresChangesEngine(t.db);
  });
  afterAll(async () => {
    await engine?.close();
    await t?.dispose();
  });

  const service: JwtClaims = { role: 'service_role' };

  /** Registers bindings and waits until they are live; returns what gets delivered. */
  async function subscribe(bindings: unknown[], claims: JwtClaims = service) {
    const received = new Inbox<PostgresChangesPayload>();
    const registration = engine.register(bindings, claims, (p) => received.push(p));
    expect(await registration.ready).toEqual({ status: 'ok' });
    return { received, registration };
  }

  const recordId = (p: PostgresChangesPayload) => (p.data.record as { id?: unknown } | undefined)?.id;

  it('answers with the raw bindings plus integer ids, in request order (§2.4)', async () => {
    const bindings = [
      { event: 'INSERT', schema: 'public', table: 'pc_items', filter: 'id=eq.1' },
      { event: '*', schema: 'public', table: 'pc_full' },
      { event: 'delete', table: 'pc_items', select: ['title'] },
    ];
    const registration = engine.register(bindings, service, () => {});
    expect(registration.replyEntries).toHaveLength(3);
    registration.replyEntries.forEach((entry, i) => {
      expect(entry).toMatchObject(bindings[i]!);
      expect(Number.isInteger(entry.id)).toBe(true);
    });
    expect(new Set(registration.replyEntries.map((e) => e.id)).size).toBe(3);
    // The same parameters give the same id, as the server's phash2 does.
    expect(engine.register([bindings[0]], service, () => {}).replyEntries[0]!.id).toBe(
      registration.replyEntries[0]!.id,
    );
    expect(await registration.ready).toEqual({ status: 'ok' });
    registration.unregister();
  });

  it('delivers an INSERT in the §5.3 shape with typed columns', async () => {
    const { received, registration } = await subscribe([{ event: 'INSERT', schema: 'public', table: 'pc_items' }]);
    const id = registration.replyEntries[0]!.id;
    await t.db.query(
      `insert into public.pc_items values (1, 'first', 'open', '{a,b}', 1.5, true, '2026-01-02T03:04:05.678Z', 's3cret')`,
    );
    const payload = await received.first((p) => recordId(p) === 1);
    expect(payload.ids).toEqual([id]);
    expect(payload.data).toEqual({
      schema: 'public',
      table: 'pc_items',
      commit_timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      type: 'INSERT',
      columns: [
        { name: 'id', type: 'int4' },
        { name: 'title', type: 'text' },
        { name: 'status', type: 'text' },
        { name: 'tags', type: '_text' },
        { name: 'score', type: 'numeric' },
        { name: 'done', type: 'bool' },
        { name: 'due', type: 'timestamptz' },
        { name: 'secret', type: 'text' },
      ],
      record: {
        id: 1,
        title: 'first',
        status: 'open',
        tags: ['a', 'b'],
        score: 1.5,
        done: true,
        due: expect.any(String),
        secret: 's3cret',
      },
      errors: null,
    });
    expect(Date.parse(payload.data.record ? (payload.data.record as { due: string }).due : '')).toBe(
      Date.parse('2026-01-02T03:04:05.678Z'),
    );
    registration.unregister();
  });

  it('applies filters: eq, neq, lt/gte, in, is, like, not. and comma AND (§5.1)', async () => {
    const filters = [
      'status=eq.open',
      'status=neq.open',
      'score=lt.10',
      'score=gte.10',
      'status=in.(open,blocked)',
      'done=is.true',
      'title=is.null',
      'title=like.Re%',
      'title=ilike.re%',
      'status=not.in.(open,blocked)',
      'score=gt.1,score=lt.100',
      'due=lt.2030-01-01T00:00:00Z',
    ];
    const { received, registration } = await subscribe(
      filters.map((filter) => ({ event: 'INSERT', schema: 'public', table: 'pc_items', filter })),
    );
    const idOf = Object.fromEntries(filters.map((f, i) => [f, registration.replyEntries[i]!.id]));
    const expectIds = async (row: number, matching: string[]) => {
      const payload = await received.first((p) => recordId(p) === row, `row ${row}`);
      expect([...payload.ids].sort()).toEqual(matching.map((f) => idOf[f]!).sort());
    };
    await t.db.query(
      `insert into public.pc_items (id, title, status, score, done, due) values (10, 'Report', 'open', 5, true, '2026-05-01Z')`,
    );
    await expectIds(10, [
      'status=eq.open',
      'score=lt.10',
      'status=in.(open,blocked)',
      'done=is.true',
      'title=like.Re%',
      'title=ilike.re%',
      'score=gt.1,score=lt.100',
      'due=lt.2030-01-01T00:00:00Z',
    ]);
    await t.db.query(
      `insert into public.pc_items (id, title, status, score, done, due) values (11, null, 'done', 50, false, '2031-01-01Z')`,
    );
    await expectIds(11, [
      'status=neq.open',
      'score=gte.10',
      'title=is.null',
      'status=not.in.(open,blocked)',
      'score=gt.1,score=lt.100',
    ]);
    // Nothing matches row 12 (NULL comparisons fail except `is`): it is never delivered, which
    // row 13 (matched by every `neq`-style binding) proves by arriving after it.
    await t.db.query(`insert into public.pc_items (id, title, status, score, done) values (12, 'x', null, null, null)`);
    await t.db.query(
      `insert into public.pc_items (id, title, status, score, done) values (13, 'y', 'done', 1000, false)`,
    );
    await received.first((p) => recordId(p) === 13);
    expect(received.items.some((p) => recordId(p) === 12)).toBe(false);
    registration.unregister();
  });

  it('sends UPDATE with the primary key as old_record, DELETE with the identity, REPLICA IDENTITY FULL in full', async () => {
    const { received, registration } = await subscribe([
      { event: '*', schema: 'public', table: 'pc_items', filter: 'id=eq.20' },
      { event: '*', schema: 'public', table: 'pc_full' },
    ]);
    const [itemsId, fullId] = registration.replyEntries.map((e) => e.id);
    await t.db.query(`insert into public.pc_items (id, title) values (20, 'before')`);
    await t.db.query(`update public.pc_items set title = 'after' where id = 20`);
    await t.db.query(`delete from public.pc_items where id = 20`);
    await t.db.query(`insert into public.pc_full values (1, 'one')`);
    await t.db.query(`update public.pc_full set label = 'uno' where id = 1`);
    await t.db.query(`delete from public.pc_full where id = 1`);
    const all = await received.count(6);
    expect(all.map((p) => [p.ids, p.data.type, p.data.record, p.data.old_record])).toEqual([
      [[itemsId], 'INSERT', expect.objectContaining({ id: 20, title: 'before' }), undefined],
      [[itemsId], 'UPDATE', expect.objectContaining({ id: 20, title: 'after' }), { id: 20 }],
      // §5.1: the DELETE filter `id=eq.20` is evaluated against the old identity columns.
      [[itemsId], 'DELETE', undefined, { id: 20 }],
      [[fullId], 'INSERT', { id: 1, label: 'one' }, undefined],
      [[fullId], 'UPDATE', { id: 1, label: 'uno' }, { id: 1, label: 'one' }],
      [[fullId], 'DELETE', undefined, { id: 1, label: 'uno' }],
    ]);
    registration.unregister();
  });

  it('matches the event type: an INSERT binding ignores UPDATEs', async () => {
    const { received, registration } = await subscribe([
      { event: 'INSERT', schema: 'public', table: 'pc_full' },
      { event: 'UPDATE', schema: 'public', table: 'pc_full' },
    ]);
    const [insertId, updateId] = registration.replyEntries.map((e) => e.id);
    await t.db.query(`insert into public.pc_full values (2, 'a')`);
    await t.db.query(`update public.pc_full set label = 'b' where id = 2`);
    const [insert, update] = await received.count(2);
    expect(insert).toMatchObject({ ids: [insertId], data: { type: 'INSERT' } });
    expect(update).toMatchObject({ ids: [updateId], data: { type: 'UPDATE' } });
    registration.unregister();
  });

  it('shows a role only the columns it may select', async () => {
    const { received, registration } = await subscribe([{ event: 'INSERT', schema: 'public', table: 'pc_items' }], {
      role: 'anon',
    });
    await t.db.query(`insert into public.pc_items (id, title, secret) values (30, 'visible', 'hidden')`);
    const payload = await received.first((p) => recordId(p) === 30);
    expect((payload.data.columns as Array<{ name: string }>).map((c) => c.name)).not.toContain('secret');
    expect(payload.data.record).toEqual({
      id: 30,
      title: 'visible',
      status: null,
      tags: null,
      score: null,
      done: null,
      due: null,
    });
    registration.unregister();
  });

  it('honours `select`, always keeping the primary key (§5.1)', async () => {
    const { received, registration } = await subscribe([
      { event: 'INSERT', schema: 'public', table: 'pc_items', select: ['title'] },
    ]);
    await t.db.query(`insert into public.pc_items (id, title, status) values (31, 'picked', 'open')`);
    const payload = await received.first((p) => recordId(p) === 31);
    expect(payload.data.columns).toEqual([
      { name: 'id', type: 'int4' },
      { name: 'title', type: 'text' },
    ]);
    expect(payload.data.record).toEqual({ id: 31, title: 'picked' });
    registration.unregister();
  });

  it('splits filters only outside PostgREST-style quotes and parentheses (§5.1)', async () => {
    const filters = ['title=eq."a,b",status=eq.open', 'title=in.("a,b",c)', 'title=not.eq."a,b"'];
    const { received, registration } = await subscribe(
      filters.map((filter) => ({ event: 'INSERT', schema: 'public', table: 'pc_items', filter })),
    );
    const [both, inList, notEq] = registration.replyEntries.map((e) => e.id);
    await t.db.query(`insert into public.pc_items (id, title, status) values (40, 'a,b', 'open')`);
    await t.db.query(`insert into public.pc_items (id, title, status) values (41, 'c', 'open')`);
    expect((await received.first((p) => recordId(p) === 40)).ids.sort()).toEqual([both, inList].sort());
    expect((await received.first((p) => recordId(p) === 41)).ids.sort()).toEqual([inList, notEq].sort());
    registration.unregister();
  });

  it('filters on a jsonb key with `col->>key` and refuses it on other column types', async () => {
    const { received, registration } = await subscribe([
      { event: 'UPDATE', schema: 'public', table: 'publishers', filter: 'custom_fields->>genre=eq.history' },
    ]);
    await t.db.query(`update public.publishers set status = 'paused' where id = $1`, [PUBLISHERS.libertyPrint.id]); // {}
    await t.db.query(`update public.publishers set status = 'paused' where id = $1`, [PUBLISHERS.harborHouse.id]); // history
    await received.first((p) => recordId(p) === PUBLISHERS.harborHouse.id);
    expect(received.items.map(recordId)).toEqual([PUBLISHERS.harborHouse.id]);
    registration.unregister();

    const refusal = (filter: string) =>
      engine.register([{ event: '*', schema: 'public', table: 'publishers', filter }], service, () => {}).ready;
    expect(await refusal('name->>x=eq.1')).toMatchObject({
      status: 'error',
      message: expect.stringMatching(
        /Exception: ERROR P0001 \(raise_exception\) jsonb filter requires a jsonb column, got text$/,
      ),
    });
    expect(await refusal('custom_fields->>=eq.1')).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/invalid jsonb filter expression custom_fields->>$/),
    });
  });

  it('reports error 400 for a table without primary key and 500 for a policy that raises (§5.3)', async () => {
    await t.db.exec(`
      create table public.pc_nopk (label text);
      create table public.pc_boom (id int primary key, label text);
      alter table public.pc_boom enable row level security;
      create policy "raises" on public.pc_boom for select to authenticated using (1 / (id - id) = 1);
      alter publication supabase_realtime add table public.pc_nopk, public.pc_boom;`);
    const nopk = await subscribe([{ event: 'INSERT', schema: 'public', table: 'pc_nopk' }]);
    const boom = await subscribe([{ event: 'INSERT', schema: 'public', table: 'pc_boom' }], claimsFor('acmeOwner'));
    const boomAsService = await subscribe([{ event: 'INSERT', schema: 'public', table: 'pc_boom' }]);
    await t.db.query(`insert into public.pc_nopk values ('x')`);
    await t.db.query(`insert into public.pc_boom values (1, 'secret')`);
    expect((await nopk.received.count(1))[0]!.data).toEqual({
      schema: 'public',
      table: 'pc_nopk',
      commit_timestamp: null,
      type: 'INSERT',
      columns: [],
      record: {},
      errors: ['Error 400: Bad Request, no primary key'],
    });
    // The row a failing policy was meant to gate is never disclosed.
    expect((await boom.received.count(1))[0]!.data).toMatchObject({
      record: {},
      errors: ['Error 500: Internal Server Error, RLS policy evaluation failed'],
    });
    expect((await boomAsService.received.count(1))[0]!.data).toMatchObject({
      record: { id: 1, label: 'secret' },
      errors: null,
    });
    for (const s of [nopk, boom, boomAsService]) s.registration.unregister();
  });

  describe('RLS per subscriber (§5.5), on the project tables', () => {
    it("hides another organisation's rows and delivers the subscriber's own", async () => {
      const binding = { event: '*', schema: 'public', table: 'agent_runs' };
      const acme = await subscribe([binding], claimsFor('acmeOwner'));
      const globex = await subscribe([binding], claimsFor('globexMember'));
      const all = await subscribe([binding], service);
      await t.db.query(`update public.agent_runs set progress = 11 where id = $1`, [AGENT_RUNS.globexEnrichment.id]);
      await t.db.query(`update public.agent_runs set progress = 12 where id = $1`, [AGENT_RUNS.acmeEnrichment.id]);
      await all.received.count(2);
      const acmeSeen = await acme.received.first((p) => recordId(p) === AGENT_RUNS.acmeEnrichment.id);
      expect(acmeSeen.data.record).toMatchObject({ organization_id: ORGS.acme.id, progress: 12 });
      await globex.received.first((p) => recordId(p) === AGENT_RUNS.globexEnrichment.id);
      // Both changes were handled in commit order, so anything either subscriber would get has arrived.
      expect(acme.received.items.map(recordId)).toEqual([AGENT_RUNS.acmeEnrichment.id]);
      expect(globex.received.items.map(recordId)).toEqual([AGENT_RUNS.globexEnrichment.id]);
      for (const s of [acme, globex, all]) s.registration.unregister();
    });

    it('hides publishers outside a territory-restricted member’s territories', async () => {
      const binding = { event: 'UPDATE', schema: 'public', table: 'publishers' };
      const west = await subscribe([binding], claimsFor('acmeWest'));
      const owner = await subscribe([binding], claimsFor('acmeOwner'));
      await t.db.query(`update public.publishers set status = 'contacted' where id = $1`, [PUBLISHERS.harborHouse.id]); // US_East
      await t.db.query(`update public.publishers set status = 'contacted' where id = $1`, [PUBLISHERS.sunriseBooks.id]); // US_West
      await owner.received.count(2);
      await west.received.first((p) => recordId(p) === PUBLISHERS.sunriseBooks.id);
      expect(west.received.items.map(recordId)).toEqual([PUBLISHERS.sunriseBooks.id]);
      expect(owner.received.items.map(recordId)).toEqual([PUBLISHERS.harborHouse.id, PUBLISHERS.sunriseBooks.id]);
      west.registration.unregister();
      owner.registration.unregister();
    });

    it('delivers DELETEs without RLS, with only the primary key in old_record', async () => {
      await t.db.query(
        `insert into public.notifications (id, organization_id, message) values ('e0000000-0000-4000-8000-0000000000aa', $1, 'bye')`,
        [ORGS.globex.id],
      );
      const binding = { event: 'DELETE', schema: 'public', table: 'notifications' };
      const acme = await subscribe([binding], claimsFor('acmeOwner'));
      await t.db.query(`delete from public.notifications where id = 'e0000000-0000-4000-8000-0000000000aa'`);
      const payload = await acme.received.count(1);
      expect(payload[0]!.data).toMatchObject({
        type: 'DELETE',
        old_record: { id: 'e0000000-0000-4000-8000-0000000000aa' },
        errors: null,
      });
      expect(payload[0]!.data).not.toHaveProperty('record');
      acme.registration.unregister();
    });

    it('re-subscribes with new claims (§6.5): the new subscriber’s visibility applies', async () => {
      const received = new Inbox<PostgresChangesPayload>();
      const first = engine.register(
        [{ event: 'UPDATE', schema: 'public', table: 'agent_runs' }],
        claimsFor('globexMember'),
        (p) => received.push(p),
      );
      expect(await first.ready).toEqual({ status: 'ok' });
      const second = first.setClaims(claimsFor('acmeOwner'));
      expect(await second.ready).toEqual({ status: 'ok' });
      await t.db.query(`update public.agent_runs set progress = 21 where id = $1`, [AGENT_RUNS.globexEnrichment.id]);
      await t.db.query(`update public.agent_runs set progress = 22 where id = $1`, [AGENT_RUNS.acmeEnrichment.id]);
      await received.first((p) => recordId(p) === AGENT_RUNS.acmeEnrichment.id);
      expect(received.items.map(recordId)).toEqual([AGENT_RUNS.acmeEnrichment.id]);
      second.unregister();
    });
  });

  describe('subscription errors (§5.1, §5.4)', () => {
    const refuse = async (binding: unknown, claims: JwtClaims = service) =>
      engine.register([binding], claims, () => {}).ready;

    it('refuses a table outside the publication with the server’s message', async () => {
      expect(await refuse({ event: 'insert', schema: 'public', table: 'pc_unpublished' })).toEqual({
        status: 'error',
        message:
          'Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [event: INSERT, schema: public, table: pc_unpublished, filters: [], select: nil]',
      });
      expect(await refuse({ event: '*', schema: 'public', table: 'nope', filter: 'id=eq.1' })).toEqual({
        status: 'error',
        message:
          'Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [event: *, schema: public, table: nope, filters: [{"id", "eq", "1", false}], select: nil]',
      });
    });

    it('refuses malformed filters with "Error parsing `filter` params"', async () => {
      const base = { event: '*', schema: 'public', table: 'pc_items' };
      expect(await refuse({ ...base, filter: 'id=foo.1' })).toEqual({
        status: 'error',
        message: 'Error parsing `filter` params: ["foo", "1"]',
      });
      expect(await refuse({ ...base, filter: 'undefined' })).toEqual({
        status: 'error',
        message: 'Error parsing `filter` params: ["undefined"]',
      });
      expect(await refuse({ ...base, filter: 'id=in.1,2' })).toEqual({
        status: 'error',
        message: 'Error parsing `filter` params: `in` filter value must be wrapped by parentheses',
      });
      expect(await refuse({ event: '*' })).toEqual({
        status: 'error',
        message:
          'No subscription params provided. Please provide at least a `schema` or `table` to subscribe to: %{"event" => "*"}',
      });
    });

    it('refuses filters on unknown or unselectable columns, bad values and oversized `in` lists', async () => {
      const base = { event: '*', schema: 'public', table: 'pc_items' };
      const prefix = (filter: string) =>
        `Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [event: *, schema: public, table: pc_items, filters: [${filter}], select: nil]. Exception: `;
      expect(await refuse({ ...base, filter: 'nope=eq.1' })).toEqual({
        status: 'error',
        message: `${prefix('{"nope", "eq", "1", false}')}ERROR P0001 (raise_exception) invalid column for filter nope`,
      });
      expect(await refuse({ ...base, filter: 'secret=eq.x' }, { role: 'anon' })).toMatchObject({
        status: 'error',
        message: expect.stringContaining('invalid column for filter secret'),
      });
      expect(await refuse({ ...base, filter: 'id=eq.abc' })).toEqual({
        status: 'error',
        message: `${prefix('{"id", "eq", "abc", false}')}ERROR 22P02 (invalid_text_representation) invalid input syntax for type integer: "abc"`,
      });
      const many = Array.from({ length: 101 }, (_, i) => i).join(',');
      expect(await refuse({ ...base, filter: `id=in.(${many})` })).toMatchObject({
        status: 'error',
        message: expect.stringContaining('too many values for `in` filter. Maximum 100'),
      });
      expect(await refuse({ ...base, filter: 'score=is.true' })).toMatchObject({
        status: 'error',
        message: expect.stringContaining('is true filter requires a boolean column, got numeric'),
      });
    });

    it('accepts a table once it joins the publication (the publication is re-scanned)', async () => {
      expect((await refuse({ event: 'INSERT', schema: 'public', table: 'pc_later' })).status).toBe('error');
      await t.db.exec('alter publication supabase_realtime add table public.pc_later');
      const { received, registration } = await subscribe([{ event: 'INSERT', schema: 'public', table: 'pc_later' }]);
      await t.db.query(`insert into public.pc_later values (1, 'late')`);
      expect((await received.count(1))[0]!.data.record).toEqual({ id: 1, label: 'late' });
      registration.unregister();
    });
  });

  it('delivers in commit order and stops after unregister', async () => {
    const { received, registration } = await subscribe([{ event: 'INSERT', schema: 'public', table: 'pc_full' }]);
    await t.db.transaction(async (tx) => {
      for (let i = 100; i < 110; i++) await tx.query('insert into public.pc_full values ($1, $2)', [i, `n${i}`]);
    });
    for (let i = 110; i < 120; i++) await t.db.query('insert into public.pc_full values ($1, $2)', [i, `n${i}`]);
    const all = await received.count(20);
    expect(all.map(recordId)).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
    registration.unregister();
    const sentinel = await subscribe([{ event: 'INSERT', schema: 'public', table: 'pc_full' }]);
    await t.db.query('insert into public.pc_full values (200, $1)', ['after']);
    await sentinel.received.count(1);
    expect(received.items).toHaveLength(20);
    sentinel.registration.unregister();
  });

  it.runIf(backend === 'postgres')('orders concurrent transactions by commit, not by start', async () => {
    const { received, registration } = await subscribe([{ event: 'INSERT', schema: 'public', table: 'pc_full' }]);
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((r) => (releaseFirst = r));
    let firstInserted!: () => void;
    const firstHasInserted = new Promise<void>((r) => (firstInserted = r));
    const first = t.db.transaction(async (tx) => {
      await tx.query('insert into public.pc_full values (300, $1)', ['started first']);
      firstInserted();
      await firstMayCommit;
    });
    await firstHasInserted;
    await t.db.query('insert into public.pc_full values (301, $1)', ['committed first']);
    releaseFirst();
    await first;
    const all = await received.count(2);
    expect(all.map(recordId)).toEqual([301, 300]);
    registration.unregister();
  });
});
