export {
  createPostgresChangesEngine,
  type DbEventsCounter,
  type PostgresChangesEngine,
  type PostgresChangesEngineOptions,
  type PostgresChangesPayload,
  type PostgresChangesReady,
  type PostgresChangesRegistration,
  type PostgresChangesReplyEntry,
} from './create-postgres-changes-engine.ts';
export { parseSubscriptionParams, type ChangeType, type SubscriptionParams } from './parse-subscription.ts';
