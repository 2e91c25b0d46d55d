import { z } from 'zod';
import {
  agentStatusMessageSchema,
  campaignMetricMessageSchema,
  notificationMessageSchema,
  publisherUpdateMessageSchema,
  teamUpdateMessageSchema,
  userSnapshotMessageSchema,
} from '../../../src/contract/message-schemas.ts';
import type { MessageType } from '../../../src/contract/message-types.ts';
import { TERRITORY_PATTERN } from '../../../src/contract/topics.ts';
import { uuidSchema } from '../../../src/contract/uuid.ts';
import { BridgeError } from './http-error.ts';

/*
 * The body of POST /broadcast. `message.data` is exactly the contract's `data` of that type
 * (src/contract/message-schemas.ts, the one source of truth); the envelope's id, timestamp and
 * seq/version are the server's to assign, so a sender's `timestamp` is accepted and ignored.
 */

const messageOf = <const Type extends MessageType, Data extends z.ZodType>(type: Type, data: Data) =>
  z.object({ type: z.literal(type), data, timestamp: z.string().optional() });

// A data point as a sender gives it: the point's id, publisher and the campaign's totals are the
// database's to fill in, and `recordedAt` defaults to the time the bridge writes it.
const campaignMetricInputSchema = campaignMetricMessageSchema.shape.data
  .omit({ pointId: true, publisherId: true, totals: true })
  .extend({ recordedAt: campaignMetricMessageSchema.shape.data.shape.recordedAt.optional() });

export const bridgeMessageSchema = z.discriminatedUnion('type', [
  messageOf('team_update', teamUpdateMessageSchema.shape.data),
  messageOf('notification', notificationMessageSchema.shape.data),
  messageOf('agent_status', agentStatusMessageSchema.shape.data),
  messageOf('publisher_update', publisherUpdateMessageSchema.shape.data),
  messageOf('user_snapshot', userSnapshotMessageSchema.shape.data),
  messageOf('campaign_metric', campaignMetricInputSchema),
]);

export const broadcastTargetSchema = z.union([
  z.strictObject({ userId: uuidSchema }),
  z.strictObject({ territory: z.string().regex(TERRITORY_PATTERN, 'Invalid territory') }),
  z.strictObject({ publisherId: uuidSchema }),
]);

export const broadcastRequestSchema = z.object({
  organizationId: uuidSchema,
  target: broadcastTargetSchema.optional(),
  message: bridgeMessageSchema,
  /** Stored as notifications.source (what produced the notification). */
  source: z
    .string()
    .regex(/^[a-z_]{1,32}$/, 'Expected 1-32 lowercase letters or underscores')
    .optional(),
});

export type BroadcastRequest = z.infer<typeof broadcastRequestSchema>;
export type BridgeMessage = z.infer<typeof bridgeMessageSchema>;
export type BridgeMessageOf<Type extends MessageType> = Extract<BridgeMessage, { type: Type }>;

/** Validates a parsed body; 422 naming each offending field by its zod path (`message.data.details`). */
export function parseWithSchema<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
  }));
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  throw new BridgeError(422, 'invalid_request', summary, { issues });
}

/** 422 for a field that is valid alone but contradicts another (or does not apply to the type). */
export function fieldError(path: string, message: string): BridgeError {
  return new BridgeError(422, 'invalid_request', `${path}: ${message}`, { issues: [{ path, message }] });
}
