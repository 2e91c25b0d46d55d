/**
 * The supabase_realtime publication (and usePublishers): which tables offer
 * Postgres Changes and which operations. A DELETE event reaches every subscriber with the old row's
 * primary key and no RLS check, so the publication publishes inserts and updates only; the local
 * stack's change capture must honour that as Realtime's WAL reader does, or tests here would pass
 * locally for events Supabase never sends (or the reverse).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JwtClaims } from '../../local-stack/db/index.ts';
import { ORGS, PUBLISHERS, TERRITORIES } from '../../supabase/fixture.ts';
import {
  createPostgresChangesEngine,
  type PostgresChangesEngine,
  type PostgresChangesPayload,
} from '../../local-stack/realtime/postgres-changes/index.ts';
import { Inbox } from '../_support/inbox.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';

const service: JwtClaims = { role: 'service_role' };

describe.each(BACKENDS)('the supabase_realtime publication on %s', (backend) => {
  let t: TestDatabase;
  let engine: PostgresChangesEngine;

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    engine = await createPostgresChangesEngine(t.db);
  });
  afterAll(async () => {
    await engine?.close();
    await t?.dispose();
  });

  it('holds agent_runs and publishers, publishing inserts and updates only', async () => {
    const tables = await t.db.query<{ table: string }>(
      `select schemaname || '.' || tablename as table from pg_publication_tables where pubname = 'supabase_realtime' order by 1`,
    );
    expect(tables.rows.map((r) => r.table)).toEqual(['public.agent_runs', 'public.publishers']);
    const flags = await t.db.query(
      `select pubinsert, pubupdate, pubdelete, pubtruncate from pg_publication where pubname = 'supabase_realtime'`,
    );
    expect(flags.rows).toEqual([{ pubinsert: true, pubupdate: true, pubdelete: false, pubtruncate: false }]);
  });

  /** Every change of publishers the service role (no RLS) is sent, from subscribe until now. */
  async function watchPublishers() {
    const received = new Inbox<PostgresChangesPayload>();
    const registration = engine.register([{ event: '*', schema: 'public', table: 'publishers' }], service, (p) =>
      received.push(p),
    );
    expect(await registration.ready).toEqual({ status: 'ok' });
    return { received, registration };
  }

  const summary = (p: PostgresChangesPayload) => {
    const row = (p.data.record ?? p.data.old_record) as { id?: string } | undefined;
    return `${String(p.data.type)} ${row?.id}`;
  };

  async function addPublisher(): Promise<string> {
    const id = randomUUID();
    await t.db.query(
      `insert into public.publishers (id, organization_id, name, territory) values ($1, $2, 'Short-lived', $3)`,
      [id, ORGS.acme.id, TERRITORIES.usWest],
    );
    return id;
  }

  /** A later UPDATE: changes are delivered in commit order, so anything captured before it is here once it is. */
  async function marker(): Promise<string> {
    await t.db.query(`update public.publishers set name = $2 where id = $1`, [
      PUBLISHERS.sunriseBooks.id,
      `Sunrise ${randomUUID()}`,
    ]);
    return `UPDATE ${PUBLISHERS.sunriseBooks.id}`;
  }

  it('captures no DELETE while the publication does not publish deletes, not even for the service role', async () => {
    const { received, registration } = await watchPublishers();
    const id = await addPublisher();
    // An INSERT is checked against the live row (as Realtime does), so let it arrive before the row goes.
    await received.first((p) => summary(p) === `INSERT ${id}`);
    await t.db.query('delete from public.publishers where id = $1', [id]);
    const last = await marker();
    await received.first((p) => summary(p) === last);
    expect(received.items.map(summary)).toEqual([`INSERT ${id}`, last]);
    registration.unregister();
  });

  it('follows the publish flags as they change (Realtime reads them on every poll)', async () => {
    const { received, registration } = await watchPublishers();
    try {
      await t.db.exec(`alter publication supabase_realtime set (publish = 'insert, update, delete')`);
      const deleted = await addPublisher();
      await received.first((p) => summary(p) === `INSERT ${deleted}`);
      await t.db.query('delete from public.publishers where id = $1', [deleted]);
      await t.db.exec(`alter publication supabase_realtime set (publish = 'insert')`);
      await t.db.query(`update public.publishers set name = 'not published' where id = $1`, [
        PUBLISHERS.pacificPress.id,
      ]);
      const inserted = await addPublisher();
      await received.first((p) => summary(p) === `INSERT ${inserted}`);
      expect(received.items.map(summary)).toEqual([`INSERT ${deleted}`, `DELETE ${deleted}`, `INSERT ${inserted}`]);
    } finally {
      await t.db.exec(`alter publication supabase_realtime set (publish = 'insert, update')`);
      registration.unregister();
    }
  });
});
