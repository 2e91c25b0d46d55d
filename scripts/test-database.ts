/**
 * For test fixtures outside vitest (pytest): `create` prints the URL of a fresh, empty database on
 * the PostgreSQL at PUBDEV_TEST_POSTGRES_URL; `drop <url>` removes it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { resolveAdminUrl } from '../local-stack/db/index.ts';

const admin = process.env.PUBDEV_TEST_POSTGRES_URL;
if (!admin) {
  console.error('PUBDEV_TEST_POSTGRES_URL is not set');
  process.exit(2);
}
const [command, target] = process.argv.slice(2);
// The server's superuser: a stack's superuser connections that `drop … with (force)` ends need one.
const client = new pg.Client({ connectionString: await resolveAdminUrl(admin) });
await client.connect();
try {
  if (command === 'create') {
    const name = `pubdev_py_${randomBytes(6).toString('hex')}`;
    await client.query(`create database ${name} owner postgres`);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    console.log(url.toString());
  } else if (command === 'drop' && target) {
    const name = new URL(target).pathname.slice(1);
    if (!/^pubdev_py_[0-9a-f]{12}$/.test(name)) throw new Error(`refusing to drop ${name}`);
    await client.query(`drop database if exists ${name} with (force)`);
  } else {
    console.error('usage: test-database.ts create | drop <url>');
    process.exitCode = 2;
  }
} finally {
  await client.end();
}
