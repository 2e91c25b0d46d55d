import { z } from 'zod';
import { ContractError } from './contract-error.ts';
import { uuidSchema } from './uuid.ts';

/*
 * Topic events: what the database broadcasts besides the five contract messages. They are
 * ephemeral notices about state that lives in a table (a membership, a profile) or about an edit in
 * progress (a draft): nothing persists the event itself, so a client that missed one re-reads the
 * table (or simply sees the next draft). Like every database broadcast they travel only on
 * server-authoritative topics (topic-policy.ts `events`), so no client can forge one.
 */

export const MEMBER_ROLES = ['owner', 'admin', 'member', 'agent'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

const roleSchema = z.enum(MEMBER_ROLES);
const timestampSchema = z.iso.datetime({ offset: true });

/**
 * A field being typed in a publisher record (`draft` on the record topic), sent through the
 * database's `share_draft` so that `userId` is always its author.
 */
export const publisherDraftSchema = z.object({
  publisherId: uuidSchema,
  field: z.string().min(1).max(100),
  /** `null` when the editor discarded the draft. */
  value: z.unknown(),
  userId: uuidSchema,
  timestamp: timestampSchema,
});

/**
 * A membership was added, changed (role or territories) or removed (`member_change`): on the
 * member's own `user:<user>` topic (their access changed) and on `org:<org>` (the roster changed).
 * `role`/`territories` are null after a removal, `previous*` null for an addition.
 */
export const memberChangeSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.literal('member_change'),
  timestamp: timestampSchema,
  data: z.object({
    organizationId: uuidSchema,
    /** Null when the organisation itself was deleted. */
    organizationName: z.string().nullable(),
    userId: uuidSchema,
    change: z.enum(['added', 'updated', 'removed']),
    role: roleSchema.nullable(),
    territories: z.array(z.string()).nullable(),
    previousRole: roleSchema.nullable(),
    previousTerritories: z.array(z.string()).nullable(),
  }),
});

/** Someone renamed themself or changed their picture (`profile_change` on each of their organisations' topics). */
export const profileChangeSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.literal('profile_change'),
  timestamp: timestampSchema,
  data: z.object({ userId: uuidSchema, displayName: z.string(), avatarUrl: z.string().nullable() }),
});

export type PublisherDraft = z.infer<typeof publisherDraftSchema>;
export type MemberChange = z.infer<typeof memberChangeSchema>;
export type ProfileChange = z.infer<typeof profileChangeSchema>;

/** The topic events, by broadcast event name. */
export const TOPIC_EVENTS = ['draft', 'member_change', 'profile_change'] as const;
export type TopicEvent = (typeof TOPIC_EVENTS)[number];

const EVENT_SCHEMAS = {
  draft: publisherDraftSchema,
  member_change: memberChangeSchema,
  profile_change: profileChangeSchema,
} as const satisfies Record<TopicEvent, z.ZodType>;

export interface TopicEventPayloads {
  readonly draft: PublisherDraft;
  readonly member_change: MemberChange;
  readonly profile_change: ProfileChange;
}

export function isTopicEvent(value: unknown): value is TopicEvent {
  return (TOPIC_EVENTS as readonly unknown[]).includes(value);
}

/** Validates a topic event's payload; the ContractError's paths start with the event name. */
export function parseTopicEvent<E extends TopicEvent>(
  event: E,
  payload: unknown,
): { ok: true; value: TopicEventPayloads[E] } | { ok: false; error: ContractError } {
  const result = EVENT_SCHEMAS[event].safeParse(payload);
  if (result.success) return { ok: true, value: result.data as TopicEventPayloads[E] };
  return { ok: false, error: ContractError.fromZod('invalid_message', event, result.error) };
}
