import type { Queryable } from '../db/index.ts';

/**
 * The `email` identity GoTrue creates with every email user (sign-up, admin create, invite):
 * provider id = the user id, identity data = the provider claims `{sub, email, email_verified,
 * phone_verified}` plus, for a sign-up, the sign-up's `data` keys that do not clash with them.
 */
export async function createEmailIdentity(
  tx: Queryable,
  user: { id: string; email: string },
  extraData: Record<string, unknown> = {},
): Promise<void> {
  const claims = { sub: user.id, email: user.email.toLowerCase(), email_verified: false, phone_verified: false };
  const identityData = { ...extraData, ...claims };
  await tx.query(
    `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
     values ($1, $2::uuid, $3::jsonb, 'email', now(), now(), now())
     on conflict (provider_id, provider) do nothing`,
    [user.id, user.id, JSON.stringify(identityData)],
  );
}

/** The `phone` identity of a user an admin creates or gives a phone number. */
export async function createPhoneIdentity(tx: Queryable, user: { id: string; phone: string }): Promise<void> {
  const identityData = { sub: user.id, phone: user.phone, email_verified: false, phone_verified: false };
  await tx.query(
    `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
     values ($1, $2::uuid, $3::jsonb, 'phone', now(), now(), now())
     on conflict (provider_id, provider) do nothing`,
    [user.id, user.id, JSON.stringify(identityData)],
  );
}

/** After a confirmed link: the identities carrying the user's address say it is verified (GoTrue's `signupVerify`). */
export async function markIdentityEmailVerified(tx: Queryable, userId: string): Promise<void> {
  await tx.query(
    `update auth.identities i
        set identity_data = i.identity_data || '{"email_verified": true}'::jsonb, updated_at = now()
       from auth.users u
      where i.user_id = $1::uuid and u.id = i.user_id and i.email is not null and i.email = u.email`,
    [userId],
  );
}
