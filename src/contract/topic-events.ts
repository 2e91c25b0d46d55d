import { z } from 'zod';
import { uuidSchema } from './uuid.ts';

/*
 * Ephemeral events of collaborative publisher topics. They are not contract messages: nothing
 * persists them, and no server-authoritative topic carries them.
 */

/** A field being typed in a publisher record, broadcast (throttled) to the record's collaborators. */
export const publisherDraftSchema = z.object({
  publisherId: uuidSchema,
  field: z.string().min(1).max(100),
  /** `null` when the editor discarded the draft. */
  value: z.unknown(),
  userId: uuidSchema,
  timestamp: z.iso.datetime({ offset: true }),
});

export type PublisherDraft = z.infer<typeof publisherDraftSchema>;
