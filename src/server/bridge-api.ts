import { z } from 'zod';
import type { MessageOf } from '../contract/message-schemas.ts';
import type { MessageType } from '../contract/message-types.ts';

/*
 * The realtime-bridge edge function's HTTP answers (docs/bridge.md), validated when they arrive
 * so a caller never works with a shape the bridge did not promise.
 */

export const deliveredSchema = z.object({ id: z.string(), type: z.string(), topic: z.string() });
export type Delivered = z.infer<typeof deliveredSchema>;

export const organizationStatsSchema = z.object({
  organizationId: z.string(),
  users: z.int().min(0),
  connections: z.int().min(0),
  perUser: z.array(z.object({ userId: z.string(), connections: z.int().min(1) })),
});
export type OrganizationStats = z.infer<typeof organizationStatsSchema>;

export const allStatsSchema = z.object({ organizations: z.array(organizationStatsSchema) });
export type AllOrganizationStats = z.infer<typeof allStatsSchema>;

const checkSchema = z.object({ ok: z.boolean(), latencyMs: z.number().min(0), error: z.string().optional() });
export const healthSchema = z.object({
  /** `degraded`: everything answers, but the project is over its Realtime messages/s quota. */
  status: z.enum(['ok', 'degraded', 'down']),
  down: z.array(z.enum(['database', 'rest', 'realtime'])),
  checks: z.object({ database: checkSchema, rest: checkSchema, realtime: checkSchema }),
  /** Realtime's own rate-limit report (docs/capacity.md); absent from a bridge older than it. */
  quota: z
    .object({ limited: z.boolean(), eventsPerSecond: z.number().nullable(), limit: z.number().nullable() })
    .optional(),
});
export type Health = z.infer<typeof healthSchema>;

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

type DataOf<Type extends MessageType> = MessageOf<Type>['data'];

/** What a server sends: a contract message's type and data; `details` of a team_update defaults to `{}`. */
export type ServerMessage = {
  [Type in MessageType]: {
    type: Type;
    data: Type extends 'team_update'
      ? Omit<DataOf<'team_update'>, 'details'> & { details?: DataOf<'team_update'>['details'] }
      : DataOf<Type>;
    /** Accepted for the seed's call sites; the bridge stamps its own time. */
    timestamp?: string;
  };
}[MessageType];

/** A personal notification's fields (its recipient is the `userId` argument). */
export type UserNotification = Omit<DataOf<'notification'>, 'userId'>;

export interface SendOptions {
  /** The same key within 5 minutes returns the first answer and delivers once. */
  idempotencyKey?: string;
  /** notifications.source, e.g. `crm` (lowercase letters and underscores). */
  source?: string;
}

/** A refusal of the bridge: its HTTP status and `{ code, message, details }`. */
export class BridgeRequestError extends Error {
  override readonly name = 'BridgeRequestError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
