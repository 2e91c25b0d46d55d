/** Once per test run: rebuild the PostgreSQL template database that DB suites copy. */
import pg from 'pg';
import { openDatabase, prepareDatabase } from '../local-stack/db/index.ts';
import { databaseUrl, dropPostgresDatabase, TEST_POSTGRES_URL, testAdminUrl } from './_db.ts';

export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (!TEST_POSTGRES_URL) return;
  // Test workers are forked after this runs and inherit the variable (see TEMPLATE_DATABASE).
  const TEMPLATE_DATABASE = `pubdev_test_template_${process.pid}`;
  process.env.PUBDEV_TEST_TEMPLATE = TEMPLATE_DATABASE;
  await dropPostgresDatabase(TEMPLATE_DATABASE);
  const admin = new pg.Client({ connectionString: await testAdminUrl() });
  await admin.connect();
  try {
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
  return () => dropPostgresDatabase(TEMPLATE_DATABASE);
}
