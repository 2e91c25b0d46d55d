import { SignupForm } from './signup-form.tsx';

/** Only same-site invitation tokens: the form calls accept_invitation with it after signing up. */
function param(value: string | string[] | undefined): string {
  return typeof value === 'string' ? value : '';
}

export default async function SignupPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { invite, email } = await searchParams;
  const token = /^[0-9a-f]{64}$/.test(param(invite)) ? param(invite) : null;
  return (
    <main className="login">
      <h1>Create your PubDev account</h1>
      <SignupForm invite={token} email={param(email)} />
      <p className="muted small">
        Already have an account? <a href={token ? `/login?next=/invite/${token}` : '/login'}>Sign in</a>
      </p>
    </main>
  );
}
