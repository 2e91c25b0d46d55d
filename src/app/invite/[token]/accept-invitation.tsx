'use client';
import { useState } from 'react';
import { useSupabase } from '../../../components/shell/supabase-provider.tsx';
import { acceptInvitation } from '../../../lib/members.ts';

/** "Accept" for the signed-in invitee; someone signed in with another address is told so. */
export function AcceptInvitation({
  token,
  invitedEmail,
  signedInAs,
}: {
  token: string;
  invitedEmail: string;
  signedInAs: string;
}) {
  const supabase = useSupabase();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  if (signedInAs.toLowerCase() !== invitedEmail) {
    return (
      <p role="alert">
        You are signed in as {signedInAs}. Sign out and sign in as {invitedEmail} to accept.{' '}
        <button
          type="button"
          onClick={async () => {
            await supabase.auth.signOut();
            window.location.assign(`/login?next=/invite/${token}`);
          }}
        >
          Sign out
        </button>
      </p>
    );
  }
  return (
    <div>
      <button
        type="button"
        disabled={pending}
        onClick={async () => {
          setPending(true);
          const result = await acceptInvitation(supabase, token);
          if (!result.ok) {
            setPending(false);
            return setError(result.message);
          }
          window.location.assign(`/?org=${result.value.organizationId}`);
        }}
      >
        Accept
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
