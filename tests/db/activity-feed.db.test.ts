/**
 * The activity stream: every team action writes exactly one public.team_updates item in the
 * transaction of the change (none when it rolls back), scoped like its subject, delivered live on
 * that scope's topic; activity_page pages it newest first without gaps or duplicates; RLS hides
 * what the reader may not see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertMessage, publisherRecordTopic, type TeamUpdateMessage } from '../../src/contract/index.ts';
import { applyClaims, isPostgresError, withClaims, type Queryable } from '../../local-stack/db/index.ts';
import { AGENT_RUNS, ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { asCaller, captureMessages, claimsFor, type Caller } from './_as-user.ts';

const ACME = ORGS.acme.id;
const SUNRISE = PUBLISHERS.sunriseBooks;
const HARBOR = PUBLISHERS.harborHouse;
const westTopic = `org:${ACME}:territory:US_West`;
const eastTopic = `org:${ACME}:territory:US_East`;
const orgTopic = `org:${ACME}`;

interface Item {
  update_type: string;
  message: string;
  user_id: string | null;
  territory: string | null;
  publisher_id: string | null;
  details: Record<string, unknown>;
}

/** Items written by the current transaction (the triggers stamp clock_timestamp(), never before now()). */
const ITEMS_OF_THIS_TRANSACTION = `select update_type, message, user_id, territory, publisher_id, details
  from public.team_updates where created_at >= now() order by created_at, id`;

describe.each(BACKENDS)('activity stream on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  /** Runs `sql` as `caller` (rolled back); the items it wrote and the team_update messages it sent. */
  async function act(caller: Caller | null, sql: string, params: readonly unknown[] = []) {
    const { result, messages } = await captureMessages(t.db, caller, async (tx) => {
      await tx.query(sql, params);
      if (caller !== null) await tx.query('reset role');
      return (await tx.query<Item>(ITEMS_OF_THIS_TRANSACTION)).rows;
    });
    const sent = messages
      .filter((m) => m.event === 'team_update')
      .map((m) => ({ topic: m.topic, message: assertMessage(m.payload) as TeamUpdateMessage }));
    return { items: result, sent };
  }

  describe('publisher saves: one item per changed field, scoped like the record', () => {
    it('a status change by the owner, as the West member reads it', async () => {
      await t.db.query(`update public.publishers set status = 'prospect' where id = $1`, [SUNRISE.id]);
      const { items, sent } = await act('acmeOwner', `update public.publishers set status = 'active' where id = $1`, [
        SUNRISE.id,
      ]);
      expect(items).toEqual([
        {
          update_type: 'publisher_update',
          message: `${USERS.acmeOwner.displayName} changed status: prospect → active`,
          user_id: USERS.acmeOwner.id,
          territory: 'US_West',
          publisher_id: SUNRISE.id,
          details: {
            action: 'field_changed',
            field: 'status',
            oldValue: 'prospect',
            newValue: 'active',
            publisherId: SUNRISE.id,
            publisherName: SUNRISE.name,
          },
        },
      ]);
      expect(sent.map((s) => s.topic)).toEqual([westTopic]);
      expect(sent[0]!.message.data).toMatchObject({ updateType: 'publisher_update', message: items[0]!.message });
    });

    it('two fields in one save are two items; an update that changes nothing is none', async () => {
      const two = await act(
        'acmeWest',
        `update public.publishers set name = 'Sunrise Ltd', status = 'paused' where id = $1`,
        [SUNRISE.id],
      );
      expect(two.items.map((i) => i.message)).toEqual([
        `${USERS.acmeWest.displayName} changed name: Sunrise Books → Sunrise Ltd`,
        `${USERS.acmeWest.displayName} changed status: prospect → paused`,
      ]);
      const none = await act('acmeWest', `update public.publishers set name = name where id = $1`, [SUNRISE.id]);
      expect(none).toEqual({ items: [], sent: [] });
    });

    it('custom fields: one item per changed key (added, changed, removed)', async () => {
      const { items } = await act(
        'acmeOwner',
        `update public.publishers set custom_fields = '{"genre":"poetry","imprint":"Dawn"}' where id = $1`,
        [SUNRISE.id],
      );
      expect(items.map((i) => [i.message, i.details.key])).toEqual([
        [`${USERS.acmeOwner.displayName} changed custom field genre: fiction → poetry`, 'genre'],
        [`${USERS.acmeOwner.displayName} changed custom field imprint: none → Dawn`, 'imprint'],
        [`${USERS.acmeOwner.displayName} changed custom field titles: 120 → none`, 'titles'],
      ]);
      expect(items.every((i) => i.details.action === 'custom_field_changed')).toBe(true);
    });

    it('an ownership transfer is one assignment item naming both people', async () => {
      const { items, sent } = await act('acmeOwner', `update public.publishers set owner_id = $2 where id = $1`, [
        SUNRISE.id,
        USERS.acmeOwner.id,
      ]);
      expect(items).toMatchObject([
        {
          update_type: 'assignment',
          message: `${USERS.acmeOwner.displayName} transferred ownership of ${SUNRISE.name}: ${USERS.acmeWest.displayName} → ${USERS.acmeOwner.displayName}`,
          details: { action: 'ownership_transferred', oldValue: USERS.acmeWest.id, newValue: USERS.acmeOwner.id },
        },
      ]);
      expect(sent.map((s) => s.topic)).toEqual([westTopic]);
    });

    it('a move is one territory_change item, scoped to where the record is now', async () => {
      const { items, sent } = await act(
        'acmeOwner',
        `update public.publishers set territory = 'US_East' where id = $1`,
        [SUNRISE.id],
      );
      // Its owner (West, US_West only) may not see US_East: the move ends her ownership, and the
      // move's one item says so (no "transfer": nobody gave it away).
      expect(items).toMatchObject([
        {
          update_type: 'territory_change',
          message: `${USERS.acmeOwner.displayName} moved ${SUNRISE.name}: US_West → US_East (${USERS.acmeWest.displayName} no longer owns it)`,
          territory: 'US_East',
          publisher_id: SUNRISE.id,
          details: { action: 'publisher_moved', ownerEnded: USERS.acmeWest.id },
        },
      ]);
      expect(sent.map((s) => s.topic)).toEqual([eastTopic]);
      // A move its owner may follow keeps the owner and says nothing of ownership.
      const kept = await act('acmeOwner', `update public.publishers set territory = 'US_West' where id = $1`, [
        HARBOR.id,
      ]);
      expect(kept.items.map((i) => i.message)).toEqual([
        `${USERS.acmeOwner.displayName} moved ${HARBOR.name}: US_East → US_West`,
      ]);
    });

    it('an unassigned record: the item goes to its record topic, never to the org topic', async () => {
      const { items, sent } = await act('acmeOwner', `update public.publishers set territory = null where id = $1`, [
        SUNRISE.id,
      ]);
      expect(items).toMatchObject([{ territory: null, publisher_id: SUNRISE.id }]);
      expect(sent.map((s) => s.topic)).toEqual([publisherRecordTopic(ACME, SUNRISE.id, null)]);
    });

    it('a change by the service role that names nobody is attributed to "Someone"', async () => {
      const { items } = await act(null, `update public.publishers set status = 'won' where id = $1`, [SUNRISE.id]);
      expect(items).toMatchObject([{ message: 'Someone changed status: prospect → won', user_id: null }]);
    });
  });

  describe('agent runs: completions and failures, scoped like the run', () => {
    const RUN = AGENT_RUNS.acmeEnrichment; // processing, about Sunrise Books (US_West)

    it('a run about a publisher that completes is one item scoped like that publisher; progress is none', async () => {
      const progress = await act('acmeAgent', `update public.agent_runs set progress = 70 where id = $1`, [RUN.id]);
      expect(progress.items).toEqual([]);
      const { items, sent } = await act(
        'acmeAgent',
        `update public.agent_runs set status = 'completed', progress = 100 where id = $1`,
        [RUN.id],
      );
      expect(items).toEqual([
        {
          update_type: 'agent_run',
          message: 'enrichment-agent completed: Enriching Sunrise Books',
          user_id: USERS.acmeAgent.id,
          territory: 'US_West',
          publisher_id: SUNRISE.id,
          details: {
            action: 'agent_completed',
            agentId: 'enrichment-agent',
            runId: RUN.id,
            attempt: 1,
            publisherId: SUNRISE.id,
            publisherName: SUNRISE.name,
          },
        },
      ]);
      expect(sent.map((s) => s.topic)).toEqual([westTopic]);
    });

    it('organisation-wide work, also a run written once as completed, is one org-wide item', async () => {
      const { items, sent } = await act(
        'acmeAgent',
        `insert into public.agent_runs (organization_id, agent_id, status, current_task) values ($1, 'report-agent', 'completed', 'Weekly report')`,
        [ACME],
      );
      expect(items).toMatchObject([
        {
          update_type: 'agent_run',
          message: 'report-agent completed: Weekly report',
          territory: null,
          publisher_id: null,
          details: { action: 'agent_completed', agentId: 'report-agent' },
        },
      ]);
      expect(sent.map((s) => s.topic)).toEqual([orgTopic]);
    });

    it('a run that fails is one item with the error; staying in error is none', async () => {
      const { items } = await act(
        null,
        `do $$ begin
           update public.agent_runs set status = 'error', error = 'HTTP 504' where id = '${RUN.id}';
           update public.agent_runs set error = 'HTTP 502' where id = '${RUN.id}';
         end $$`,
      );
      expect(items).toMatchObject([{ update_type: 'agent_run', message: 'enrichment-agent failed: HTTP 504' }]);
    });

    it('a run about a US_East publisher: its item reaches US_East, and the West member reads none of it', async () => {
      const insert = `insert into public.agent_runs (organization_id, agent_id, status, error, publisher_id)
        values ($1, 'enrichment-agent', 'error', 'HTTP 504', $2) returning id`;
      const { sent } = await act('acmeAgent', insert, [ACME, HARBOR.id]);
      expect(sent.map((s) => s.topic)).toEqual([eastTopic]);
      const readers = await withClaims(
        t.db,
        claimsFor('acmeAgent'),
        async (tx) => {
          const runId = (await tx.query<{ id: string }>(insert, [ACME, HARBOR.id])).rows[0]!.id;
          const reads = async (reader: Caller) => {
            await tx.query('reset role');
            await applyClaims(tx, claimsFor(reader));
            const { rows } = await tx.query(`select 1 from public.team_updates where details ->> 'runId' = $1`, [
              runId,
            ]);
            return rows.length;
          };
          return { west: await reads('acmeWest'), owner: await reads('acmeOwner') };
        },
        { rollback: true },
      );
      expect(readers).toEqual({ west: 0, owner: 1 });
    });
  });

  describe('member territories', () => {
    it('a change of territories is one org-wide item naming both people', async () => {
      const { items, sent } = await act(
        'acmeOwner',
        `update public.organization_members set territories = '{US_West,US_East}' where user_id = $1 and organization_id = $2`,
        [USERS.acmeWest.id, ACME],
      );
      expect(items).toEqual([
        {
          update_type: 'territory_change',
          message: `${USERS.acmeOwner.displayName} changed the territories of ${USERS.acmeWest.displayName}: US_West → US_West, US_East`,
          user_id: USERS.acmeOwner.id,
          territory: null,
          publisher_id: null,
          details: {
            action: 'member_territories_changed',
            memberId: USERS.acmeWest.id,
            oldValue: ['US_West'],
            newValue: ['US_West', 'US_East'],
          },
        },
      ]);
      expect(sent.map((s) => s.topic)).toEqual([orgTopic]);
      const role = await act('acmeOwner', `update public.organization_members set role = 'admin' where user_id = $1`, [
        USERS.acmeWest.id,
      ]);
      expect(role.items).toEqual([]);
    });

    it('territories that hide an owned publisher end the ownership: one item about it, beside the member one', async () => {
      const { items, sent } = await act(
        'acmeOwner',
        `update public.organization_members set territories = '{US_East}' where user_id = $1 and organization_id = $2`,
        [USERS.acmeWest.id, ACME],
      );
      expect(items).toMatchObject([
        { update_type: 'territory_change', territory: null, details: { action: 'member_territories_changed' } },
        {
          update_type: 'assignment',
          message: `${USERS.acmeWest.displayName} no longer owns ${SUNRISE.name}`,
          user_id: USERS.acmeOwner.id,
          territory: 'US_West',
          publisher_id: SUNRISE.id,
          details: { action: 'ownership_ended', oldValue: USERS.acmeWest.id, newValue: null },
        },
      ]);
      expect(sent.map((s) => s.topic)).toEqual([orgTopic, westTopic]);
    });
  });

  it('a posted update is its own single item', async () => {
    const { items } = await act(
      'acmeWest',
      `insert into public.team_updates (organization_id, update_type, message, user_id) values ($1, 'note', 'Lunch at noon', $2)`,
      [ACME, USERS.acmeWest.id],
    );
    expect(items).toEqual([
      {
        update_type: 'note',
        message: 'Lunch at noon',
        user_id: USERS.acmeWest.id,
        territory: null,
        publisher_id: null,
        details: {},
      },
    ]);
  });

  describe('same transaction', () => {
    const count = async () =>
      Number((await t.db.query<{ n: string }>(`select count(*) as n from public.team_updates`)).rows[0]!.n);

    it('a change that rolls back leaves no item, and one that commits leaves exactly one', async () => {
      const before = await count();
      await expect(
        withClaims(t.db, claimsFor('acmeOwner'), async (tx) => {
          await tx.query(`update public.publishers set status = 'lost' where id = $1`, [HARBOR.id]);
          // Inside the transaction the item exists…
          const inside = await tx.query(
            `select 1 from public.team_updates where publisher_id = $1 and created_at >= now()`,
            [HARBOR.id],
          );
          expect(inside.rows).toHaveLength(1);
          // … and a later failure in the same transaction takes it back with the change.
          await tx.query(`update public.publishers set name = '' where id = $1`, [HARBOR.id]);
        }),
      ).rejects.toSatisfy((error) => isPostgresError(error) && error.code === '23514');
      expect(await count()).toBe(before);
      await withClaims(t.db, claimsFor('acmeOwner'), (tx) =>
        tx.query(`update public.publishers set status = 'lost' where id = $1`, [HARBOR.id]),
      );
      expect(await count()).toBe(before + 1);
    });
  });

  describe('who reads what', () => {
    /** As the owner: a US_West and a US_East save; then as `reader`: the messages activity_page gives. */
    const readAfterSaves = (reader: Caller) =>
      withClaims(
        t.db,
        claimsFor('acmeOwner'),
        async (tx) => {
          await tx.query(`update public.publishers set status = 'west_news' where id = $1`, [SUNRISE.id]);
          await tx.query(`update public.publishers set status = 'east_news' where id = $1`, [HARBOR.id]);
          await tx.query('reset role');
          await applyClaims(tx, claimsFor(reader));
          const { rows } = await tx.query<{ message: string }>(
            `select message from public.activity_page($1, null, null, 200)`,
            [ACME],
          );
          return rows.map((r) => r.message);
        },
        { rollback: true },
      );

    it("the West member reads US_West and org-wide items, never US_East ones or another organisation's", async () => {
      const west = await readAfterSaves('acmeWest');
      expect(west.filter((m) => m.includes('west_news'))).toHaveLength(1);
      expect(west.filter((m) => m.includes('east_news'))).toEqual([]);
      expect(west).toContain('Quarterly territory plan published');
      const owner = await readAfterSaves('acmeOwner');
      expect(owner.filter((m) => /west_news|east_news/.test(m))).toHaveLength(2);
      expect(await readAfterSaves('globexMember')).toEqual([]);
      expect(
        await asCaller(t.db, 'anon', async (tx) => (await tx.query('select 1 from public.team_updates')).rows),
      ).toEqual([]);
    });

    it("an item follows its publisher: once the record leaves West's territories, West reads none of its items", async () => {
      const itemsAboutSunrise = async (tx: Queryable, reader: Caller) => {
        await tx.query('reset role');
        await applyClaims(tx, claimsFor(reader));
        const { rows } = await tx.query(`select 1 from public.team_updates where publisher_id = $1`, [SUNRISE.id]);
        return rows.length;
      };
      await withClaims(
        t.db,
        claimsFor('acmeOwner'),
        async (tx) => {
          const before = await itemsAboutSunrise(tx, 'acmeWest');
          await applyClaims(tx, claimsFor('acmeOwner'));
          await tx.query(`update public.publishers set status = 'signed' where id = $1`, [SUNRISE.id]);
          expect(await itemsAboutSunrise(tx, 'acmeWest')).toBe(before + 1);
          await applyClaims(tx, claimsFor('acmeOwner'));
          await tx.query(`update public.publishers set territory = 'US_East' where id = $1`, [SUNRISE.id]);
          expect(await itemsAboutSunrise(tx, 'acmeWest')).toBe(0);
          expect(await itemsAboutSunrise(tx, 'acmeOwner')).toBe(before + 2);
        },
        { rollback: true },
      );
    });
  });

  describe('activity_page', () => {
    it('pages 130 items newest first, without gaps or duplicates, 50 at a time', async () => {
      // Three items per millisecond: ties on created_at are ordered by id.
      await t.db.query(
        `insert into public.team_updates (organization_id, update_type, message, territory, created_at)
         select $1, 'note', 'bulk ' || n, case when n % 2 = 0 then 'US_West' end,
                now() - interval '1 day' + (n / 3) * interval '1 millisecond'
           from generate_series(1, 130) as n`,
        [ACME],
      );
      type Row = { id: string; created_at: string; message: string };
      const page = (cursor: Row | null) =>
        asCaller(
          t.db,
          'acmeOwner',
          async (tx) =>
            (
              await tx.query<Row>(
                `select id, created_at::text as created_at, message from public.activity_page($1, $2::timestamptz, $3::uuid, 50)`,
                [ACME, cursor?.created_at ?? null, cursor?.id ?? null],
              )
            ).rows,
        );
      const seen: Row[] = [];
      for (let cursor: Row | null = null; ; ) {
        const rows = await page(cursor);
        seen.push(...rows);
        if (rows.length < 50) break;
        cursor = rows.at(-1)!;
      }
      const everything = (
        await t.db.query<{ id: string }>(
          `select id from public.team_updates where organization_id = $1 order by created_at desc, id desc`,
          [ACME],
        )
      ).rows.map((r) => r.id);
      expect(seen.map((r) => r.id)).toEqual(everything);
      expect(seen.filter((r) => r.message.startsWith('bulk '))).toHaveLength(130);
    });

    it('refuses half a cursor and a missing organisation with 22023', async () => {
      for (const [sql, params] of [
        [`select * from public.activity_page($1, now(), null)`, [ACME]],
        [`select * from public.activity_page(null)`, []],
      ] as const) {
        await expect(asCaller(t.db, 'acmeOwner', (tx) => tx.query(sql, params))).rejects.toMatchObject({
          code: '22023',
        });
      }
    });

    it('caps a page at 200 items', async () => {
      await t.db.query(
        `insert into public.team_updates (organization_id, update_type, message) select $1, 'note', 'more ' || n from generate_series(1, 200) as n`,
        [ACME],
      );
      const rows = await asCaller(
        t.db,
        'acmeOwner',
        async (tx) => (await tx.query(`select id from public.activity_page($1, null, null, 100000)`, [ACME])).rows,
      );
      expect(rows).toHaveLength(200);
    });
  });
});
