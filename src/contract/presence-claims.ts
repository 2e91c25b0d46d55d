import { z } from 'zod';
import { uuidSchema } from './uuid.ts';

/*
 * What a presence entry claims, and the ticket that vouches for it (docs/security.md "Identity on
 * presence and activity"). A client asks the database for a ticket (`issue_presence_ticket(topic,
 * claim)`) and tracks `{ ticket, claim }`; observers show the entry only when the database
 * confirms (`verify_presence_tickets`) that the ticket was issued to the entry's key for this
 * topic, and take what it claims from the database's answer, never from the meta. The claim
 * grammar is the SQL check of private.presence_tickets.claim.
 */

/** On `org:<org>`: the person is online. */
export const ONLINE_CLAIM = 'online';
/** On a publisher's collaboration topic: the person has the record open. */
export const VIEWING_CLAIM = 'viewing';

const FIELD_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;
const CLAIM_PATTERN = /^(online|viewing|editing:[A-Za-z0-9_.-]{1,100})$/;

/** On a publisher's collaboration topic: the person is editing `field` (`editing:<field>`). */
export function editingClaim(field: string): string {
  if (!FIELD_PATTERN.test(field)) throw new RangeError(`a field name must match ${String(FIELD_PATTERN)}`);
  return `editing:${field}`;
}

/** The field an `editing:<field>` claim names; null for any other claim. */
export function editedField(claim: string): string | null {
  return claim.startsWith('editing:') ? claim.slice('editing:'.length) : null;
}

/** A presence meta as tracked: only the ticket (what it vouches for is the database's to say). */
export const presenceMetaSchema = z.object({ ticket: uuidSchema });

/** True for a claim the database may issue (`online`, `viewing`, `editing:<field>`). */
export function isPresenceClaim(value: string): boolean {
  return CLAIM_PATTERN.test(value);
}

export type PresenceMeta = z.infer<typeof presenceMetaSchema>;
