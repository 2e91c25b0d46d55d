import { FIXTURE_PASSWORD, USERS } from '../../../supabase/fixture.ts';
import { readPublicSupabaseConfig } from '../../lib/supabase/public-config.ts';
import { LoginForm } from './login-form.tsx';

/** Only same-site paths: `?next=https://evil.example` must not turn sign-in into an open redirect. */
function safeNext(next: string | string[] | undefined): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { next } = await searchParams;
  const { isLocal } = readPublicSupabaseConfig();
  return (
    <main className="login">
      <h1>Sign in to PubDev</h1>
      <LoginForm next={safeNext(next)} />
      <p className="muted small">
        New here? <a href="/signup">Create an account</a>
      </p>
      {isLocal && (
        <section aria-labelledby="fixture-users-title" className="card fixture-users">
          <h2 id="fixture-users-title">Fixture users (local development)</h2>
          <p>
            Password for all: <code>{FIXTURE_PASSWORD}</code>
          </p>
          <ul>
            {Object.values(USERS).map((user) => (
              <li key={user.id}>
                <code>{user.email}</code> — {user.role}
                {user.territories.length > 0 ? `, territories ${user.territories.join(', ')}` : ''}
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}
