/**
 * `npm run gen:types`: migrates a fresh in-memory database (PGlite, the way the local stack
 * prepares one) and writes its Database types to src/contract/database.types.ts, in the shape of
 * `supabase gen types typescript --local`, which needs Docker. `-- --check` writes nothing and
 * exits 1 when the committed file is out of date.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openDatabase, prepareDatabase } from '../local-stack/db/index.ts';
import { DATABASE_TYPES_FILE, exposedSchemas, generateDatabaseTypes } from './lib/database-types/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const target = `${ROOT}${DATABASE_TYPES_FILE}`;
const db = await openDatabase();
try {
  await prepareDatabase(db, { seed: false });
  const text = await generateDatabaseTypes(db, await exposedSchemas(`${ROOT}supabase/config.toml`));
  if (process.argv.includes('--check')) {
    const committed = await readFile(target, 'utf8').catch(() => '');
    if (committed !== text) {
      console.error(`${DATABASE_TYPES_FILE} is out of date with supabase/migrations: run npm run gen:types`);
      process.exitCode = 1;
    } else {
      console.log(`${DATABASE_TYPES_FILE} is up to date`);
    }
  } else {
    await writeFile(target, text);
    console.log(`wrote ${DATABASE_TYPES_FILE}`);
  }
} finally {
  await db.close();
}
