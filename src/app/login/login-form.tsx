'use client';
import { useState, type FormEvent } from 'react';
import { useSupabase } from '../../components/shell/supabase-provider.tsx';

/** Email + password sign-in; the session lands in cookies that the server reads on the next request. */
export function LoginForm({ next }: { next: string }) {
  const supabase = useSupabase();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const { error: signInError } = await supabase.auth.signInWithPassword({
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
    });
    if (signInError) {
      setError(signInError.message);
      setPending(false);
      return;
    }
    // A full navigation, so the server renders the dashboard with the new session cookies.
    window.location.assign(next);
  }

  return (
    <form className="card login-form" onSubmit={onSubmit} aria-describedby={error ? 'login-error' : undefined}>
      <label htmlFor="email">Email</label>
      <input id="email" name="email" type="email" autoComplete="username" required autoFocus />
      <label htmlFor="password">Password</label>
      <input id="password" name="password" type="password" autoComplete="current-password" required />
      <button type="submit" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
      {error && (
        <p id="login-error" role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
