import { z } from 'zod';
import type { MessageType } from './message-types.ts';
import { uuidSchema } from './uuid.ts';

/*
 * Envelope ids are deterministic for messages that originate in the database, so the same
 * change broadcast live and later backfilled from its table has the same id and is
 * de-duplicated by id:
 *   agent_status      "<runId>:<seq>"
 *   publisher_update  "<publisherId>:<version>:<field>"
 *   team_update       the team_updates row's uuid
 *   notification      the notifications row's uuid
 *   user_snapshot     "<orgId>:<userId>:<seq>" (report_activity's row and its seq), with ":org" for
 *                     the organisation-wide copy of an activity scoped to a territory or publisher
 *   campaign_metric   "<campaignId>:<pointId>" (the campaign_metrics row)
 *
 * Optional fields that a SQL row can fill with NULL are `.nullish()`: `to_json` writes the
 * key with `null`, which means "absent".
 */

const idSchema = (description: string) => z.string().min(1).max(200).describe(description);

// Postgres' to_json(timestamptz) writes `2026-11-25T17:36:19.123456+00:00`, hence `offset: true`.
const timestampSchema = z.iso.datetime({ offset: true });

const envelope = <const Type extends MessageType, Data extends z.ZodType>(type: Type, id: string, data: Data) =>
  z.object({ id: idSchema(id), type: z.literal(type), data, timestamp: timestampSchema });

export const userSnapshotMessageSchema = envelope(
  'user_snapshot',
  '"<orgId>:<userId>:<seq>", or with ":org" for the org-wide copy of scoped activity',
  z.object({
    userId: uuidSchema,
    activity: z.object({
      action: z.string(),
      publisherId: uuidSchema.optional(),
      territory: z.string().optional(),
      status: z.enum(['online', 'offline', 'away']),
    }),
  }),
);

/** The states of an agent run (the lifecycle the database enforces: docs/data-model.md). */
export const AGENT_RUN_STATUSES = ['idle', 'queued', 'processing', 'completed', 'error', 'cancelled'] as const;

/** Entries a result summary may hold, and the length of a key and of a string value. */
export const RESULT_SUMMARY_LIMITS = { entries: 20, keyLength: 64, valueLength: 500 } as const;

/**
 * What a notification and the dashboard show of a run's result: a small flat object (the
 * database's private.is_result_summary checks the same bounds on every write).
 */
export const resultSummarySchema = z
  .record(
    z.string().min(1).max(RESULT_SUMMARY_LIMITS.keyLength),
    z.union([z.string().max(RESULT_SUMMARY_LIMITS.valueLength), z.number(), z.boolean(), z.null()]),
  )
  .refine((summary) => Object.keys(summary).length <= RESULT_SUMMARY_LIMITS.entries, {
    message: `a result summary holds at most ${RESULT_SUMMARY_LIMITS.entries} entries`,
  })
  .meta({ maxProperties: RESULT_SUMMARY_LIMITS.entries })
  .describe('Flat: at most 20 entries, keys of 1-64 characters, strings of at most 500');

export const agentStatusMessageSchema = envelope(
  'agent_status',
  '"<runId>:<seq>"',
  z.object({
    agentId: z.string(),
    status: z.enum(AGENT_RUN_STATUSES),
    progress: z
      .object({
        progress: z.number().min(0).max(100),
        currentTask: z.string(),
        estimatedTime: z.number().nonnegative().nullish().describe('Seconds'),
      })
      .nullish(),
    runId: uuidSchema.nullish(),
    queuePosition: z.int().min(1).nullish().describe('1 = next; set by the database for the head of a queue'),
    attempt: z.int().min(1).nullish(),
    error: z.string().max(2000).nullish(),
    result: resultSummarySchema.nullish().describe('The result summary of a completed run'),
    publisherId: uuidSchema.nullish().describe('The publisher the run works on; absent or null means org-wide'),
    requestedBy: uuidSchema.nullish().describe('Who asked for the work'),
    priority: z.int().min(-1000).max(1000).nullish().describe('Queue order: higher first, then creation order'),
    leaseExpiresAt: timestampSchema
      .nullish()
      .describe("A processing run's lease; past it (by the server's clock) the run is stalled"),
  }),
).extend({
  seq: z.int().min(0).describe('Monotonic per run; drop updates older than the last seen'),
  previousSeq: z
    .int()
    .min(0)
    .nullish()
    .describe(
      "The seq of the run's previous agent_status broadcast (null for its first). Progress is paced, so seq may skip: " +
        'a gap means a lost broadcast only when the last seq seen is below previousSeq',
    ),
});

/**
 * The kinds of team update: the seed's three, `agent_run` (a run completed or failed) and `note`
 * (posted from the dashboard's composer). Items the database writes for team actions say what
 * happened in `details.action` (docs/data-model.md "Activity stream").
 */
export const TEAM_UPDATE_TYPES = ['assignment', 'territory_change', 'publisher_update', 'agent_run', 'note'] as const;

export const teamUpdateMessageSchema = envelope(
  'team_update',
  'The team_updates row uuid',
  z.object({
    updateType: z.enum(TEAM_UPDATE_TYPES),
    message: z.string(),
    userId: uuidSchema.nullish(),
    territory: z.string().nullish().describe('Absent or null means org-wide'),
    details: z.looseObject({ mentions: z.array(uuidSchema).nullish() }),
  }),
);

export const publisherUpdateMessageSchema = envelope(
  'publisher_update',
  '"<publisherId>:<version>:<field>"',
  z.object({
    publisherId: uuidSchema,
    update: z.object({
      field: z.string(),
      // RATIONALE: optional, not just unknown: JSON.stringify drops `undefined` values, and
      // zod accepts a missing key for z.unknown() anyway; the JSON Schema must say the same.
      oldValue: z.unknown().optional(),
      newValue: z.unknown().optional(),
      updatedBy: uuidSchema.nullable(),
    }),
  }),
).extend({ version: z.int().min(1).describe("The publisher row's version after the change") });

export const notificationMessageSchema = envelope(
  'notification',
  'The notifications row uuid',
  z.object({
    message: z.string(),
    level: z.enum(['info', 'warning', 'error', 'success']),
    actionUrl: z.string().nullish(),
    persistent: z.boolean().nullish(),
    userId: uuidSchema.nullish().describe('Absent or null means org-wide'),
  }),
);

const count = z.int().min(0).max(1_000_000_000_000);

export const campaignMetricMessageSchema = envelope(
  'campaign_metric',
  '"<campaignId>:<pointId>"',
  z.object({
    campaignId: uuidSchema,
    publisherId: uuidSchema,
    pointId: z.int().min(1).describe('The campaign_metrics row id; increases with each point'),
    recordedAt: timestampSchema.describe('The end of the period the figures count'),
    impressions: count,
    clicks: count,
    conversions: count,
    spend: z.number().min(0).max(10_000_000_000),
    totals: z
      .object({
        impressions: count,
        clicks: count,
        conversions: count,
        spend: z.number().min(0),
        points: z.int().min(1),
      })
      .describe("The campaign's running totals with this point counted (its row, in the same transaction)"),
  }),
);

/** One schema per message type, keyed by type. */
export const MESSAGE_SCHEMAS = {
  user_snapshot: userSnapshotMessageSchema,
  agent_status: agentStatusMessageSchema,
  team_update: teamUpdateMessageSchema,
  publisher_update: publisherUpdateMessageSchema,
  notification: notificationMessageSchema,
  campaign_metric: campaignMetricMessageSchema,
} as const satisfies Record<MessageType, z.ZodType>;

export const realtimeMessageSchema = z.discriminatedUnion('type', [
  userSnapshotMessageSchema,
  agentStatusMessageSchema,
  teamUpdateMessageSchema,
  publisherUpdateMessageSchema,
  notificationMessageSchema,
  campaignMetricMessageSchema,
]);

export type UserSnapshotMessage = z.infer<typeof userSnapshotMessageSchema>;
export type AgentStatusMessage = z.infer<typeof agentStatusMessageSchema>;
export type ResultSummary = z.infer<typeof resultSummarySchema>;
export type TeamUpdateMessage = z.infer<typeof teamUpdateMessageSchema>;
export type PublisherUpdateMessage = z.infer<typeof publisherUpdateMessageSchema>;
export type NotificationMessage = z.infer<typeof notificationMessageSchema>;
export type CampaignMetricMessage = z.infer<typeof campaignMetricMessageSchema>;
export type RealtimeMessage = z.infer<typeof realtimeMessageSchema>;
/** The message of one type: `MessageOf<'agent_status'>` is `AgentStatusMessage`. */
export type MessageOf<Type extends MessageType> = Extract<RealtimeMessage, { type: Type }>;
