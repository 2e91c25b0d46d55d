import { AuthError } from './auth-error.ts';

/** The format check GoTrue runs on every email it is given (`checkmail.ValidateFormat`). */
const EMAIL_FORMAT =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/**
 * GoTrue's `validateEmail`: required, at most 255 characters, of a plausible format; returns the
 * address lower-cased, which is how Auth stores it. Every refusal is 400 `validation_failed`.
 */
export function validateEmail(email: string): string {
  if (email === '') throw new AuthError(400, 'validation_failed', 'An email address is required');
  if (email.length > 255) throw new AuthError(400, 'validation_failed', 'An email address is too long');
  if (!EMAIL_FORMAT.test(email)) {
    throw new AuthError(400, 'validation_failed', 'Unable to validate email address: invalid format');
  }
  return email.toLowerCase();
}

/** Addresses and domains Supabase's extended validation refuses without a DNS look-up. */
const INVALID_ADDRESSES = new Set(['test@gmail.com', 'example@gmail.com', 'someone@gmail.com', 'test@email.com']);
const INVALID_HOSTS = new Set([
  'test',
  'example',
  'invalid',
  'local',
  'localhost',
  'test.com',
  'example.com',
  'example.net',
  'example.org',
  'gamil.com',
  'gamai.com',
  'anonymous.com',
  'email.com',
]);
const INVALID_HOST_SUFFIXES = ['.test', '.example', '.invalid', '.local', '.localhost'];

/**
 * What hosted Supabase's mailer checks before it sends (`validateclient`'s static rules; its DNS
 * and service checks need the network and are left out): a refused address is 400
 * `email_address_invalid`, at the moment Auth would send mail to it — so a sign-up with
 * confirmations off, which sends nothing, is not refused. Only with `emailValidationExtended`.
 */
export function checkDeliverable(email: string): void {
  const at = email.lastIndexOf('@');
  const host = email.slice(at + 1);
  if (
    INVALID_ADDRESSES.has(email) ||
    INVALID_HOSTS.has(host) ||
    INVALID_HOST_SUFFIXES.some((suffix) => host.endsWith(suffix))
  ) {
    throw new AuthError(400, 'email_address_invalid', `Email address "${email}" is invalid`);
  }
}
