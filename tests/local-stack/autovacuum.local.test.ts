import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vacuumWhereDue } from '../../local-stack/db/autovacuum.ts';
import { createTestDatabase, type TestDatabase } from '../_db.ts';

/**
 * PGlite has no autovacuum workers; the stack runs a pass a minute with PostgreSQL's default
 * thresholds. A table updated in place gets vacuumed (its dead rows gone), a table that grew gets
 * analysed, and a quiet table is left alone.
 */
describe('autovacuum on PGlite', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const deadRows = async (table: string) => {
    await database.db.query('select pg_stat_force_next_flush()');
    const { rows } = await database.db.query<{ n: number }>(
      'select n_dead_tup::int as n from pg_stat_user_tables where schemaname = $1 and relname = $2',
      ['public', table],
    );
    return rows[0]?.n;
  };

  it('vacuums a table updated in place, analyses one that grew, and leaves quiet ones alone', async () => {
    const { db } = database;
    await db.exec(`
      create table public.av_runs (id int primary key, progress int not null);
      insert into public.av_runs select g, 0 from generate_series(1, 10) g;
      create table public.av_feed (id int primary key);
    `);
    // Tables made by the preparation are analysed first, so only this test's tables are due below.
    await vacuumWhereDue(db);
    for (let i = 0; i < 300; i++)
      await db.query('update public.av_runs set progress = $1 where id = $2', [i, 1 + (i % 10)]);
    await db.exec('insert into public.av_feed select g from generate_series(1, 100) g');
    expect(await deadRows('av_runs')).toBeGreaterThan(50);

    expect((await vacuumWhereDue(db)).sort()).toEqual(['analyze public.av_feed', 'vacuum public.av_runs']);
    expect(await deadRows('av_runs')).toBe(0);
    expect(await vacuumWhereDue(db)).toEqual([]);
  });
});
