import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { AuthContext } from './auth-context.ts';
import { AuthError } from './auth-error.ts';
import { findUserByEmail, reloadUser, toUserJson, type UserJson } from './auth-user.ts';
import { insertUser } from './create-user.ts';
import { validateEmail } from './email-address.ts';
import { goMap, goString } from './go-json.ts';
import { createEmailIdentity } from './identities.ts';
import { readJsonBody } from './read-json-body.ts';
import { referrer } from './redirect-url.ts';
import { sendConfirmation } from './send-confirmation.ts';

const inviteSchema = z.object({ email: goString(), data: goMap() });

/**
 * `POST /auth/v1/invite` (supabase-js `inviteUserByEmail`), as GoTrue's `Invite`: creates the user
 * without a password (`data` becomes its metadata, its profile comes from the project's trigger)
 * and emails an invite link to the local inbox, leading through `/verify?type=invite` to the allowed
 * `redirect_to`. Inviting an address again re-sends the link while it is unconfirmed; a confirmed
 * address is 422 `email_exists`. The invite is not held back by `max_frequency`.
 */
export async function invite(req: IncomingMessage, url: URL, context: AuthContext): Promise<UserJson> {
  const params = await readJsonBody(req, inviteSchema, { emptyIsObject: false });
  const email = validateEmail(params.email);
  const redirectTo = referrer(req, url, context.settings);
  const existing = await findUserByEmail(context.db, email);
  if (existing && existing.email_confirmed_at !== null) {
    throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
  }
  const userId = await context.db.transaction(async (tx) => {
    let id = existing?.id;
    if (id === undefined) {
      id = await insertUser(tx, {
        email,
        encryptedPassword: '',
        userMetadata: params.data ?? {},
        appMetadata: { provider: 'email', providers: ['email'] },
      });
      await createEmailIdentity(tx, { id, email });
    }
    await sendConfirmation(tx, context, await reloadUser(tx, id), 'invite', redirectTo);
    return id;
  });
  return toUserJson(await reloadUser(context.db, userId));
}
