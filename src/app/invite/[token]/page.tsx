import { notFound } from 'next/navigation';
import { previewInvitation } from '../../../lib/members.ts';
import { signedInUser } from '../../../lib/session.ts';
import { createRequestSupabase } from '../../../lib/supabase/server-client.ts';
import { AcceptInvitation } from './accept-invitation.tsx';

const STATE_TEXT = {
  accepted: 'This invitation has already been used.',
  revoked: 'This invitation was withdrawn.',
  expired: 'This invitation has expired. Ask for a new one.',
} as const;

/** An invitation link: what it invites to, and the way in (sign up, sign in, or accept). */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  if (!/^[0-9a-f]{64}$/.test(token)) notFound();
  const supabase = await createRequestSupabase();
  const [invitation, user] = await Promise.all([previewInvitation(supabase, token), signedInUser(supabase)]);
  if (!invitation) notFound();
  const scope = invitation.territories.length > 0 ? invitation.territories.join(', ') : 'every territory';
  return (
    <main className="login">
      <h1>Join {invitation.organizationName}</h1>
      <section className="card" aria-label="Invitation">
        <p>
          {invitation.invitedBy ?? 'Someone'} invited <strong>{invitation.email}</strong> to{' '}
          {invitation.organizationName} as {invitation.role} ({scope}).
        </p>
        {invitation.state !== 'pending' ? (
          <p role="alert">{STATE_TEXT[invitation.state]}</p>
        ) : user ? (
          <AcceptInvitation token={token} invitedEmail={invitation.email} signedInAs={user.email} />
        ) : (
          <p>
            <a href={`/signup?invite=${token}&email=${encodeURIComponent(invitation.email)}`}>Sign up</a> or{' '}
            <a href={`/login?next=/invite/${token}`}>sign in</a> as {invitation.email} to accept.
          </p>
        )}
      </section>
    </main>
  );
}
