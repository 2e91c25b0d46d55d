import { z } from 'zod';
import type { ApiRole, JwtClaims } from '../../db/index.ts';
import type { SubscriptionParams } from './parse-subscription.ts';

/** What the channel pushes as the `postgres_changes` event payload (§5.3). */
export interface PostgresChangesPayload {
  /** Ids (from the join reply) of this channel's bindings that the change satisfied. */
  ids: number[];
  data: Record<string, unknown>;
}

export type PostgresChangesReady = { status: 'ok' } | { status: 'error'; message: string };

/** A join-reply entry: the client's raw binding plus its integer `id` (§2.4). */
export type PostgresChangesReplyEntry = Record<string, unknown> & { id: number };

export interface PostgresChangesRegistration {
  /** In request order, for `phx_reply` `response.postgres_changes` (§2.4). */
  readonly replyEntries: PostgresChangesReplyEntry[];
  /** Settles once the subscription is live (→ "Subscribed to PostgreSQL") or refused (§2.5, §5.4). Never rejects. */
  readonly ready: Promise<PostgresChangesReady>;
  /** Re-subscribes with new claims (after `access_token`, §6.5); this registration stops at once. */
  setClaims(claims: JwtClaims): PostgresChangesRegistration;
  unregister(): void;
}

export interface PostgresChangesEngine {
  register(
    rawBindings: readonly unknown[],
    claims: JwtClaims,
    deliver: (payload: PostgresChangesPayload) => void,
  ): PostgresChangesRegistration;
  close(): Promise<void>;
}

/** The tenant's DB-events counter (§8.3); a `RateCounter` fits. */
export interface DbEventsCounter {
  triggered(): boolean;
  add(count: number): void;
}

export const changeRowSchema = z.object({
  id: z.coerce.number().int(),
  schema_name: z.string(),
  table_name: z.string(),
  type: z.enum(['INSERT', 'UPDATE', 'DELETE']),
  record: z.record(z.string(), z.unknown()).nullable(),
  old_record: z.record(z.string(), z.unknown()).nullable(),
  commit_timestamp: z.string(),
});
/** One captured row change, as the queue hands it out. */
export type Change = z.infer<typeof changeRowSchema>;

export interface Binding {
  id: number;
  params: SubscriptionParams;
  /** The published tables the binding resolved to when it subscribed (§5.1). */
  tables: ReadonlySet<string>;
}

export interface Subscriber {
  claims: JwtClaims;
  role: ApiRole;
  /** Subscribers with equal claims share one visibility check per change (§5.5). */
  claimsKey: string;
  bindings: Binding[];
  deliver: (payload: PostgresChangesPayload) => void;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
