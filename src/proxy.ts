import { createServerClient } from '@supabase/ssr';
import { NextResponse, type NextRequest } from 'next/server';
import { AUTH_COOKIE_NAME, readPublicSupabaseConfig } from './lib/supabase/public-config.ts';

/**
 * Runs before every page and API request: refreshes the Supabase session cookie (so server
 * components, which cannot set cookies, always see a fresh access token) and sends anonymous
 * visitors of dashboard pages to /login (sign-up and invitation pages are open to them).
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const { serverUrl, anonKey } = readPublicSupabaseConfig();
  let response = NextResponse.next({ request });
  const supabase = createServerClient(serverUrl, anonKey, {
    cookieOptions: { name: AUTH_COOKIE_NAME },
    cookies: {
      getAll: () => request.cookies.getAll(),
      setAll: (list) => {
        for (const { name, value } of list) request.cookies.set(name, value);
        response = NextResponse.next({ request });
        for (const { name, value, options } of list) response.cookies.set(name, value, options);
      },
    },
  });
  const { data, error } = await supabase.auth.getUser();
  const path = request.nextUrl.pathname;
  // RATIONALE: when Supabase is unreachable (a stack restart) the session cannot be checked;
  // sending a signed-in user to /login for that would lose their page. Let the page decide.
  const unreachable = error !== null && (error.status === undefined || error.status === 0 || error.status >= 500);
  // Sign-in, sign-up and invitation links are for people who are not signed in yet.
  const open = ['/login', '/signup', '/invite/', '/api/'].some((prefix) => path.startsWith(prefix));
  if (!data.user && !unreachable && !open) {
    const login = request.nextUrl.clone();
    login.pathname = '/login';
    login.search = path === '/' ? '' : `?next=${encodeURIComponent(path)}`;
    return NextResponse.redirect(login);
  }
  return response;
}

export const config = {
  // Static assets and the unauthenticated health probe need no session.
  matcher: ['/((?!_next/static|_next/image|favicon.ico|api/health).*)'],
};
