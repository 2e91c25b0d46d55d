/**
 * Gives a plain PostgreSQL server Supabase's roles, once: `npm run db:supabase-roles -- <url>`
 * with a superuser `postgres` URL (for example the one in PUBDEV_TEST_POSTGRES_URL). Its
 * superuser becomes `supabase_admin`, and `postgres` a regular role with the platform's attributes
 * and the same password, so that the local stack and the test suites apply migrations as Supabase
 * does. Running it again changes nothing.
 */
import { giveServerSupabaseRoles } from '../local-stack/db/index.ts';

const url = process.argv[2] ?? process.env.PUBDEV_TEST_POSTGRES_URL;
if (!url) {
  console.error('usage: npm run db:supabase-roles -- postgresql://postgres:<password>@<host>:<port>/postgres');
  process.exit(2);
}
const changed = await giveServerSupabaseRoles(url);
console.log(
  changed
    ? 'The server now has Supabase roles: superuser supabase_admin, and postgres (not a superuser) with the same password.'
    : 'The server already has Supabase roles; nothing changed.',
);
