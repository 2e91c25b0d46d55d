/**
 * People the attack suites need beyond the fixture, made as the product makes them: a sign-up
 * through supabase-js's `auth.signUp` (the local stack's /auth/v1/signup), then a membership
 * written by the service role. The client comes back signed in (session in memory).
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { AuthStack } from '../_support/auth-stack.ts';

const NEW_PASSWORD = 'correct horse battery staple';

export interface SignedUp {
  readonly id: string;
  readonly email: string;
  readonly client: SupabaseClient;
}

export async function signUp(stack: AuthStack, email: string, displayName: string): Promise<SignedUp> {
  const client = stack.client();
  const { data, error } = await client.auth.signUp({
    email,
    password: NEW_PASSWORD,
    options: { data: { display_name: displayName } },
  });
  if (error || !data.user) throw new Error(`sign-up of ${email}: ${error?.message ?? 'no user'}`);
  return { id: data.user.id, email, client };
}

/** Signs up `email` and makes them a member of `organizationId` (as an owner's insert would). */
export async function signUpMember(
  stack: AuthStack,
  organizationId: string,
  person: { email: string; displayName: string; role?: string; territories?: string[] },
): Promise<SignedUp> {
  const made = await signUp(stack, person.email, person.displayName);
  const { error } = await stack
    .client(stack.stack.config.serviceRoleKey)
    .from('organization_members')
    .insert({
      organization_id: organizationId,
      user_id: made.id,
      role: person.role ?? 'member',
      territories: person.territories ?? [],
    });
  if (error) throw new Error(`membership of ${person.email}: ${error.message}`);
  return made;
}
