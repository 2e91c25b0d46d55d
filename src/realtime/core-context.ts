import type { SupabaseClient } from '@supabase/supabase-js';
import type { RealtimeMessage, TopicEvent, TopicEventPayloads } from '../contract/index.ts';
import type { Access, AccessChange } from './access.ts';
import type { CatchUp } from './catch-up.ts';
import type { ChannelHandle, ChannelListener } from './channel-types.ts';
import type { Environment } from './environment.ts';
import type { RealtimeError } from './realtime-error.ts';
import type { Database } from '../contract/index.ts';

/** What every feature store gets from the client: one supabase-js client, its channels, one gate. */
export interface CoreContext {
  readonly supabase: SupabaseClient<Database>;
  readonly env: Environment;
  readonly organizationId: string;
  /** Resolves with the signed-in user's id (null for an anonymous client) once the first token is set; reading it starts the client. */
  readonly ready: Promise<string | null>;
  /** The user's id once `ready` resolved. */
  userId(): string | null;
  readonly catchUpIntervalMs: number;
  /** How long a REST read may go unanswered before it is aborted and reported (read-timeout.ts). */
  readonly readTimeoutMs: number;
  /** Acquires `topic` with the spec the core decides for it (presence, Postgres changes). */
  acquire(topic: string, listener: ChannelListener): ChannelHandle;
  /** Validates a broadcast against the contract and the topic's policy; reports and drops anything else. */
  accept(topic: string, event: string, payload: unknown): RealtimeMessage | null;
  /** Validates a topic event (topic-events.ts) against its schema and the topic's policy; reports and drops anything else. */
  acceptEvent<E extends TopicEvent>(topic: string, event: E, payload: unknown): TopicEventPayloads[E] | null;
  reportError(error: RealtimeError): void;
  /** Registers a stream's catch-up, run on resume (visibility/online) and on gap hints from other streams. */
  registerCatchUp(catchUp: CatchUp): () => void;
  /** The territories whose topics the user may join (territories.ts), shared and cached. */
  territories(): Promise<readonly string[]>;
  /** A hint that broadcasts may have been dropped: every stream catches up. */
  hintGap(): void;
  /** A live stream lost a broadcast (`what`, for the report): updates are delayed, and every stream catches up. */
  noticeDrop(what: string): void;
  /** The user's rights in the organisation once read (null before, and after a removal). */
  access(): Access | null;
  /** Called when the user's rights in the organisation change (access-store.ts); returns stop. */
  onAccessChange(listener: (change: AccessChange) => void): () => void;
}
