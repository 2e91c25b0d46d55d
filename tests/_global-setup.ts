/** Once per test run: rebuild the PostgreSQL template database that DB suites copy. */
import pg from 'pg';
import { openDatabase, prepareDatabase } from '../src/local/db/index.ts';
import { databaseUrl, TEMPLATE_DATABASE, TEST_POSTGRES_URL } from './_db.ts';

export default async function setup(): Promise<void> {
  if (!TEST_POSTGRES_URL) return;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${TEMPLATE_DATABASE} with (force)`);
    await admin.query(`create database ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const db = await openDatabase({ url: databaseUrl(TEST_POSTGRES_URL, TEMPLATE_DATABASE) });
  try {
    await prepareDatabase(db);
  } finally {
    await db.close();
  }
}
