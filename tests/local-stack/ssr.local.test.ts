/**
 * The Next.js server path: `@supabase/ssr`'s `createServerClient` keeps the session in cookies
 * (one client per request, reading and writing a cookie jar), unchanged against the local stack.
 */
import { createServerClient } from '@supabase/ssr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_PASSWORD, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { startAuthStack, type AuthStack } from '../_support/auth-stack.ts';

type Cookie = { name: string; value: string };

/** What a browser keeps between requests: each request's server client sees and updates it. */
class CookieJar {
  readonly cookies = new Map<string, string>();
  forRequest() {
    return {
      getAll: (): Cookie[] => [...this.cookies].map(([name, value]) => ({ name, value })),
      setAll: (cookies: Array<Cookie & { options?: { maxAge?: number } }>) => {
        for (const { name, value, options } of cookies) {
          if (value === '' || options?.maxAge === 0) this.cookies.delete(name);
          else this.cookies.set(name, value);
        }
      },
    };
  }
}

describe.each(BACKENDS)('@supabase/ssr server clients on %s', (backend) => {
  let a: AuthStack;
  beforeAll(async () => {
    a = await startAuthStack(backend);
  });
  afterAll(() => a?.stop());

  const serverClient = (jar: CookieJar) =>
    createServerClient(a.stack.url, a.stack.config.anonKey, { cookies: jar.forRequest() });

  it('signs in on one request and, on the next, reads as that user so RLS applies', async () => {
    const jar = new CookieJar();
    const { error } = await serverClient(jar).auth.signInWithPassword({
      email: USERS.acmeWest.email,
      password: FIXTURE_PASSWORD,
    });
    expect(error).toBeNull();
    expect([...jar.cookies.keys()].some((name) => name.startsWith('sb-127-auth-token'))).toBe(true);

    const nextRequest = serverClient(jar);
    const { data: user } = await nextRequest.auth.getUser();
    expect(user.user?.id).toBe(USERS.acmeWest.id);
    const { data, error: readError } = await nextRequest.from('publishers').select('id').order('name');
    expect(readError).toBeNull();
    // The US_West member sees only US_West publishers of Acme.
    expect(data?.map((p) => p.id).sort()).toEqual([PUBLISHERS.pacificPress.id, PUBLISHERS.sunriseBooks.id].sort());
  });

  it('signs out: the cookies are cleared and the next request is anonymous', async () => {
    const jar = new CookieJar();
    await serverClient(jar).auth.signInWithPassword({ email: USERS.acmeOwner.email, password: FIXTURE_PASSWORD });
    await serverClient(jar).auth.signOut();
    expect([...jar.cookies.keys()].filter((name) => name.startsWith('sb-'))).toEqual([]);
    const { data } = await serverClient(jar).from('publishers').select('id');
    expect(data).toEqual([]);
  });
});
