import { AuthError, weakPasswordError } from './auth-error.ts';

/** bcrypt reads only the first 72 bytes, so GoTrue refuses longer passwords outright. */
const MAX_PASSWORD_LENGTH = 72;

export interface PasswordRules {
  minimumPasswordLength: number;
  requiredCharacters: readonly string[];
}

/**
 * GoTrue's `checkPasswordStrength`: over 72 characters is 400 `validation_failed`; too short or
 * missing a required character set is 422 `weak_password` with every reason (`length`,
 * `characters`) and every message joined, as supabase-js's `AuthWeakPasswordError.reasons` reads it.
 * (Supabase's leaked-password check needs the network and is left out.)
 */
export function checkPasswordStrength(password: string, rules: PasswordRules): void {
  // Go's len() counts bytes, as bcrypt does.
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_LENGTH) {
    throw new AuthError(400, 'validation_failed', `Password cannot be longer than ${MAX_PASSWORD_LENGTH} characters`);
  }
  const reasons: string[] = [];
  const messages: string[] = [];
  if (Buffer.byteLength(password, 'utf8') < rules.minimumPasswordLength) {
    reasons.push('length');
    messages.push(`Password should be at least ${rules.minimumPasswordLength} characters.`);
  }
  const missesASet = rules.requiredCharacters.some(
    (set) => set !== '' && ![...set].some((character) => password.includes(character)),
  );
  if (missesASet) {
    reasons.push('characters');
    messages.push(`Password should contain at least one character of each: ${rules.requiredCharacters.join(', ')}.`);
  }
  if (reasons.length > 0) throw weakPasswordError(messages.join(' '), reasons);
}
