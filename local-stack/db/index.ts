export type {
  ConnectionChange,
  Database,
  DatabaseKind,
  PostgresError,
  Queryable,
  QueryField,
  QueryResult,
  TransactionOptions,
} from './database.ts';
export { hasSqlState, isPostgresError, SQLSTATE } from './database.ts';
export { openDatabase, type OpenDatabaseOptions } from './open-database.ts';
export { installSupabaseShim, prepareDatabase, type PrepareOptions, type PrepareResult } from './prepare-database.ts';
export { applyMigrations, type AppliedMigration } from './migrations.ts';
export { maintainMessagePartitions } from './message-partitions.ts';
export { applyClaims, withClaims, type ClaimsContext, type JwtClaims } from './with-claims.ts';
export {
  checkRealtimeRead,
  checkRealtimeWrite,
  type AuthorizationContext,
  type ReadPolicies,
  type RealtimeExtension,
} from './realtime-authorization.ts';
export { API_ROLES, isApiRole, UnsupportedRoleError, type ApiRole } from './api-roles.ts';
export { quoteIdent } from './quote-ident.ts';
export { CATALOG_GENERATION_SQL, GenerationCache, readCatalogGeneration } from './catalog-generation.ts';
export {
  giveServerSupabaseRoles,
  MIGRATION_ROLE,
  NotSupabaseShapedError,
  PLATFORM_ADMIN_ROLE,
  resolveAdminUrl,
} from './platform-roles.ts';
export { asMigrationRole } from './role-settings.ts';
