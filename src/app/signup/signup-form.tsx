'use client';
import { useState, type FormEvent } from 'react';
import { useSupabase } from '../../components/shell/supabase-provider.tsx';
import { acceptInvitation } from '../../lib/members.ts';

/**
 * Email, display name and password: `auth.signUp`, then (with an invitation) `accept_invitation`,
 * then the dashboard. When the project confirms emails first, it says so and waits for the link.
 */
export function SignupForm({ invite, email }: { invite: string | null; email: string }) {
  const supabase = useSupabase();
  const [message, setMessage] = useState<{ kind: 'error' | 'status'; text: string } | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setMessage(null);
    const { data, error } = await supabase.auth.signUp({
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
      options: { data: { display_name: String(form.get('name') ?? '').trim() } },
    });
    if (error) {
      setPending(false);
      return setMessage({ kind: 'error', text: error.message });
    }
    if (!data.session) {
      setPending(false);
      return setMessage({ kind: 'status', text: 'Check your email: confirm your address, then sign in.' });
    }
    let destination = '/';
    if (invite) {
      const accepted = await acceptInvitation(supabase, invite);
      if (!accepted.ok) {
        setPending(false);
        return setMessage({ kind: 'error', text: `Signed up, but the invitation failed: ${accepted.message}` });
      }
      destination = `/?org=${accepted.value.organizationId}`;
    }
    // A full navigation, so the server renders the dashboard with the new session cookies.
    window.location.assign(destination);
  }

  return (
    <form className="card login-form" onSubmit={onSubmit} aria-label="Sign up">
      <label htmlFor="email">Email</label>
      <input id="email" name="email" type="email" autoComplete="username" defaultValue={email} required />
      <label htmlFor="name">Display name</label>
      <input id="name" name="name" autoComplete="name" required maxLength={80} />
      <label htmlFor="password">Password</label>
      <input id="password" name="password" type="password" autoComplete="new-password" required minLength={6} />
      <button type="submit" disabled={pending}>
        {pending ? 'Signing up…' : 'Sign up'}
      </button>
      {message && (
        <p
          role={message.kind === 'error' ? 'alert' : 'status'}
          className={message.kind === 'error' ? 'error' : 'muted'}
        >
          {message.text}
        </p>
      )}
    </form>
  );
}
