import { randomUUID } from 'node:crypto';
import { AuthError } from './auth-error.ts';
import type { ConfirmationType } from './confirmation.ts';
import { checkDeliverable } from './email-address.ts';
import type { EmailRateLimit } from './ip-rate-limit.ts';

/** One email the local Auth server "sent": what Supabase's mail template would have been given. */
export interface LocalEmail {
  id: string;
  to: string;
  subject: string;
  /** GoTrue's email action type (the link's `type`). */
  type: ConfirmationType;
  /** `{{ .ConfirmationURL }}`: `<stack>/auth/v1/verify?token=…&type=…&redirect_to=…`. */
  action_link: string;
  /** `{{ .Token }}`: the code, for `verifyOtp({ email, token, type })`. */
  email_otp: string;
  /** `{{ .TokenHash }}`: for `verifyOtp({ token_hash, type })`. */
  hashed_token: string;
  /** `{{ .RedirectTo }}`. */
  redirect_to: string;
  sent_at: string;
}

/** Supabase Auth's default subjects for these two templates. */
const SUBJECTS: Record<ConfirmationType, string> = {
  signup: 'Confirm your email address',
  invite: "You've been invited",
};

/** GoTrue leaves a `redirect_to` as it is unless it holds `&`, `=` or `#`, which it query-escapes. */
function encodeRedirect(redirectTo: string): string {
  return /[&=#]/.test(redirectTo) ? encodeURIComponent(redirectTo) : redirectTo;
}

export interface MailerOptions {
  /** `<publicUrl>/auth/v1`, where the links point (`supabase start`'s `MAILER_URLPATHS_*`). */
  authUrl: string;
  emailRateLimit: EmailRateLimit;
  /** Whether Auth confirms sign-ups by itself; GoTrue then skips the email rate limit (its `Autoconfirm` exception). */
  autoconfirm: boolean;
  emailValidationExtended: boolean;
  log: (line: string) => void;
  /** Messages kept; the oldest go first. */
  capacity?: number;
}

interface SendParams {
  type: ConfirmationType;
  to: string;
  otp: string;
  tokenHash: string;
  redirectTo: string;
}

export interface LocalMailer {
  /** GoTrue's `sendEmail`: the project's email limit, the address check, then delivery to the inbox. */
  send(params: SendParams): LocalEmail;
  /** Messages to `email` (every message without it), newest first. */
  list(email?: string): LocalEmail[];
  /** Forgets messages to `email` (every message without it). */
  clear(email?: string): void;
}

/**
 * The local stand-in for the mail server `supabase start` runs (Mailpit on port 54324): nothing
 * leaves the machine; each email is kept in memory for `GET /auth/v1/_inbox` and logged with its
 * link, so both tests and a developer can follow it.
 */
export function createLocalMailer(options: MailerOptions): LocalMailer {
  const capacity = options.capacity ?? 1000;
  const messages: LocalEmail[] = [];
  const matches = (email: string | undefined) => (m: LocalEmail) => email === undefined || m.to === email.toLowerCase();
  return {
    send(params) {
      // As GoTrue: a limit of 0 refuses every email; otherwise only sign-ups needing confirmation count.
      const limit = options.emailRateLimit;
      if (limit.perHour === 0 || (!options.autoconfirm && !limit.allow())) {
        throw new AuthError(429, 'over_email_send_rate_limit', 'email rate limit exceeded');
      }
      if (options.emailValidationExtended) checkDeliverable(params.to);
      const query = `token=${encodeURIComponent(params.tokenHash)}&type=${params.type}&redirect_to=${encodeRedirect(params.redirectTo)}`;
      const email: LocalEmail = {
        id: randomUUID(),
        to: params.to,
        subject: SUBJECTS[params.type],
        type: params.type,
        action_link: `${options.authUrl}/verify?${query}`,
        email_otp: params.otp,
        hashed_token: params.tokenHash,
        redirect_to: params.redirectTo,
        sent_at: new Date().toISOString(),
      };
      messages.push(email);
      if (messages.length > capacity) messages.shift();
      options.log(`auth: email to ${email.to} "${email.subject}" (code ${email.email_otp}): ${email.action_link}`);
      return email;
    },
    list(email) {
      return messages.filter(matches(email)).reverse();
    },
    clear(email) {
      const keep = messages.filter((m) => !matches(email)(m));
      messages.splice(0, messages.length, ...keep);
    },
  };
}
