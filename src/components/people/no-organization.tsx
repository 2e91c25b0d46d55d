'use client';
import { useSupabase } from '../shell/supabase-provider.tsx';

/** For a signed-in person who belongs to no organisation yet (an invitation brings them in). */
export function NoOrganization({ email }: { email: string }) {
  const supabase = useSupabase();
  return (
    <main className="login">
      <h1>No organisation yet</h1>
      <section className="card" role="status">
        <p>
          You are signed in as <strong>{email}</strong> but belong to no organisation. Open the invitation link an owner
          or admin sent you to join theirs.
        </p>
        <button
          type="button"
          onClick={async () => {
            await supabase.auth.signOut();
            window.location.assign('/login');
          }}
        >
          Sign out
        </button>
      </section>
    </main>
  );
}
