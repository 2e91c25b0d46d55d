import { UUID_PATTERN } from '../contract/index.ts';

/**
 * The organisation a person with several memberships chose: the URL's `?org=<id>` wins (a link
 * opens what it names), else the cookie the switcher set. The server reads both; the switcher
 * writes the cookie and navigates to the URL.
 */
export const ORGANIZATION_COOKIE = 'pubdev-org';

/** A year: the choice is a preference, not a session. */
export const ORGANIZATION_COOKIE_MAX_AGE_S = 365 * 24 * 3600;

export function chosenOrganization(fromUrl: unknown, fromCookie: string | undefined): string | null {
  if (typeof fromUrl === 'string' && UUID_PATTERN.test(fromUrl)) return fromUrl;
  if (fromCookie && UUID_PATTERN.test(fromCookie)) return fromCookie;
  return null;
}
